// Both modules generated and compiled their class in a parallel build, and Maven found the
// plugin thread-safe.
def log = new File(basedir, 'build.log').text
assert log.contains('thread count of 2')
assert !log.contains('@threadSafe')
assert new File(basedir, 'alpha/target/generated-sources/nn/alpha/Xor.java').isFile()
assert new File(basedir, 'alpha/target/classes/alpha/Xor.class').isFile()
assert new File(basedir, 'beta/target/generated-sources/nn/beta/Gauss.java').isFile()
assert new File(basedir, 'beta/target/classes/beta/Gauss.class').isFile()
