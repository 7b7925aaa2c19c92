def log = new File(basedir, 'build.log').text
assert log.contains('nnc: skipped (nnc.skip)')
assert !new File(basedir, 'target/generated-sources/nn').exists()
assert !new File(basedir, 'target/classes/Xor.class').exists()
