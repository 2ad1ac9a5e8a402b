import { Box, Text } from 'ink';
import { formatBytes } from '../../model/format.js';
import type { LfsFileRecord } from '../../model/record.js';
import { mark } from './marks.js';

/** Each LFS file of the snapshot with its size and hash, verified or not (and why not). */
export function LfsFileList({ files }: { readonly files: readonly LfsFileRecord[] }) {
  return (
    <Box flexDirection="column" marginLeft={2}>
      {files.map((file) => {
        const { symbol, color } = mark(file.verified ? 'passed' : 'failed');
        return (
          <Text key={file.path}>
            <Text color={color}>{symbol}</Text> {file.path} <Text color="gray">{formatBytes(file.size)} sha256 {file.oid.slice(0, 16)}…</Text>
            {file.problem ? <Text color="red"> {file.problem}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
