import { Box, Text } from 'ink';

/** Asked after q or Ctrl-C: a drill is never aborted by one stray key. */
export function AbortPrompt({ aborting }: { readonly aborting: boolean }) {
  return (
    <Box borderStyle="round" borderColor="red" paddingX={1} marginTop={1}>
      <Text color="red">
        {aborting
          ? 'Aborting: stopping the service, removing the workspace, saving the report… (Ctrl-C again forces)'
          : 'Abort the drill? The service is stopped and the report saved as aborted. (y/N)'}
      </Text>
    </Box>
  );
}
