// Each error reaches the log in the contract form, relative to the project, with its excerpt;
// the build fails with a one-line summary and generates nothing.
def log = new File(basedir, 'build.log').text
assert log.contains("[ERROR] src/main/nn/bad.nn:6:39: error: unknown activation 'sigmoud'")
assert log.contains("[ERROR] src/main/nn/bad.nn:7:44: error: unknown activation 'tahn'")
assert log.contains('    hidden = dense(x, 4, activation = sigmoud);')
assert log.contains('^~~~~~~')
assert log.contains('nnc: 2 errors in 1 file')
assert !log.contains('internal compiler error')
assert !new File(basedir, 'target/generated-sources/nn').exists()
