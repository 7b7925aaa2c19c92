// The test spec became a test class; the main source roots got nothing.
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: 1 class from 1 spec in target/generated-test-sources/nn (1 written, 0 unchanged, 0 removed)')
assert new File(basedir, 'target/generated-test-sources/nn/Xor.java').isFile()
assert new File(basedir, 'target/test-classes/Xor.class').isFile()
assert !new File(basedir, 'target/generated-sources/nn').exists()
assert !new File(basedir, 'target/classes/Xor.class').exists()
assert new File(basedir, 'target/maven-status/nnc/generate-test/default/outputs.lst').isFile()
