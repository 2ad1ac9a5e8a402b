/**
 * The `debug` package, as bundled into dist/: silent, whatever DEBUG says. Its users among the
 * dependencies (https-proxy-agent, agent-base) log the proxy's URL, password included, when DEBUG
 * names them, and the CLI never prints a secret. Tests that run the sources see the real package.
 */
function createDebug() {
  const log = () => undefined;
  log.enabled = false;
  log.extend = createDebug;
  return log;
}
createDebug.enable = () => undefined;
createDebug.disable = () => '';
createDebug.enabled = () => false;
createDebug.default = createDebug;
module.exports = createDebug;
