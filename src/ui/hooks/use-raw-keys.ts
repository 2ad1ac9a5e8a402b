/**
 * The terminal's input as it arrives, each read cut at its escape sequences by Ink's own parser but not
 * further: a text field then sees every key of a burst (useInput reads a whole burst as one keypress).
 */
import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';

export function useRawKeys(handler: (chunk: string) => void, options: { readonly isActive: boolean }): void {
  const { internal_eventEmitter: events, setRawMode, isRawModeSupported } = useStdin();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!options.isActive || !isRawModeSupported) return undefined;
    setRawMode(true);
    const listen = (chunk: string) => latest.current(chunk);
    events.on('input', listen);
    return () => {
      events.removeListener('input', listen);
      setRawMode(false);
    };
  }, [options.isActive, isRawModeSupported, events, setRawMode]);
}
