// The second build found nothing changed, left the generated file alone, and still compiled it.
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: 1 class from 1 spec in target/generated-sources/nn (1 written, 0 unchanged, 0 removed)')
assert log.contains('nnc: nothing changed since the last build (1 spec), target/generated-sources/nn is up to date')

def generated = new File(basedir, 'target/generated-sources/nn/Xor.java')
assert generated.lastModified() == 946684800000L : "second build touched ${generated}: ${new Date(generated.lastModified())}"
assert new File(basedir, 'target/classes/Xor.class').isFile()
