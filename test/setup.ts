// Ink decides "non-interactive" from the CI variable at import time (is-in-ci); with CI set,
// ink-testing-library's lastFrame() is empty after unmount. CI runs the tests with CI=true.
delete process.env['CI'];
