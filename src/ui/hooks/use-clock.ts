import { useEffect, useState } from 'react';

/** Now, refreshed once a second while `active`: elapsed times tick without re-rendering faster. */
export function useClock(active: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
