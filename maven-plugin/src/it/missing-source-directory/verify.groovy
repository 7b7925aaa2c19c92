def log = new File(basedir, 'build.log').text
assert log.contains('nnc: no .nn sources in src/main/nn')
assert !new File(basedir, 'target/generated-sources/nn').exists()
assert new File(basedir, 'target/classes/app/App.class').isFile()
