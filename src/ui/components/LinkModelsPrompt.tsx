/**
 * setup, once its service passed: link each model into the node's own HOME, where its service loads
 * it? Each link and what it replaces are shown; y (or Enter) links, n (or Esc) leaves the HOME alone
 * and the summary says the command.
 */
import { Box, Text, useInput } from 'ink';
import type { ModelLink } from '../../model/ports.js';

export interface LinkModelsPromptProps {
  readonly links: readonly ModelLink[];
  readonly isActive: boolean;
  readonly onDecide: (link: boolean) => void;
}

export function LinkModelsPrompt({ links, isActive, onDecide }: LinkModelsPromptProps) {
  useInput(
    (input, key) => {
      if (input === 'y' || input === 'Y' || key.return) onDecide(true);
      else if (input === 'n' || input === 'N' || key.escape) onDecide(false);
    },
    { isActive },
  );
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>The node&apos;s own service loads its model from its HOME:</Text>
      {links.map((link) => (
        <Text key={link.where}>
          {'  '}
          {link.from} → {link.target}
          {link.replaces ? <Text color="yellow"> (what is there now is moved aside, not deleted)</Text> : null}
        </Text>
      ))}
      <Text bold color="cyan">
        Link {links.length === 1 ? 'it' : 'them'} to the restored model{links.length === 1 ? '' : 's'}? [y]es / [n]o
      </Text>
    </Box>
  );
}
