/** The command init proposes from the process on the probed port: relative paths, no secret, local only. */
import { describe, expect, it } from 'vitest';
import { commandIn, serviceProcess } from '../../src/init/service-process.js';

describe('the proposed start command', () => {
  it('writes paths inside the service folder relative to it, and others as they are', () => {
    expect(commandIn(['/srv/whisper/.venv/bin/python', '/srv/whisper/app.py', '--port', '17860'], '/srv/whisper')).toBe('.venv/bin/python ./app.py --port 17860');
    expect(commandIn(['/usr/bin/python3', 'app.py', '--config', '/etc/whisper/config.yaml'], '/srv/whisper')).toBe('/usr/bin/python3 app.py --config /etc/whisper/config.yaml');
    expect(commandIn(['python3', 'app.py', '--title', 'my service'], '/srv')).toBe("python3 app.py --title 'my service'");
  });

  it('never carries a secret from the command line into the plan', () => {
    expect(commandIn(['vllm', 'serve', 'whisper', '--api-key', 'sk-live-123', '--port', '8000'], '/srv')).toBe("vllm serve whisper --api-key '***' --port 8000");
    expect(commandIn(['app', '--token=abc', '--hf-token', 'hf_x', '-password', 'p', '--db-passwd=q', '--keyframes', '3'], '/srv')).toBe("app '--token=***' --hf-token '***' -password '***' '--db-passwd=***' --keyframes 3");
  });

  it('is looked up only for a service on this host', async () => {
    expect(await serviceProcess('http://10.0.0.5:8000')).toBeUndefined();
    expect(await serviceProcess('http://whisper.internal:7860')).toBeUndefined();
  });
});
