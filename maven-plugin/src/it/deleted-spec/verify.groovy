// The second build removed Gauss.java, kept Xor.java, and compiled.
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: 2 classes from 2 specs in target/generated-sources/nn (2 written, 0 unchanged, 0 removed)')
assert log.contains('nnc: 1 class from 1 spec in target/generated-sources/nn (0 written, 1 unchanged, 1 removed)')

assert !new File(basedir, 'src/main/nn/gauss.nn').exists()
assert !new File(basedir, 'target/generated-sources/nn/Gauss.java').exists()
assert new File(basedir, 'target/generated-sources/nn/Xor.java').isFile()

def outputs = new File(basedir, 'target/maven-status/nnc/generate/default/outputs.lst').readLines()
assert outputs.size() == 1 && outputs[0].endsWith('  Xor.java') : outputs
