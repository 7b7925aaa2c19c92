// The generated class is compiled with the project and its unit test trained it.
def generated = new File(basedir, 'target/generated-sources/nn/Xor.java')
assert generated.isFile() : "missing ${generated}"
assert generated.text.contains('public final class Xor')
assert new File(basedir, 'target/classes/Xor.class').isFile()

def log = new File(basedir, 'build.log').text
assert log.contains('nnc: 1 class from 1 spec in target/generated-sources/nn (1 written, 0 unchanged, 0 removed)')
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0')
