// gauss.nn is UTF-8 (as every .nn file); its doc comment reaches Gauss.java as pure ASCII, every
// non-ASCII character a unicode escape, so javac reads it the same in ISO-8859-1 or any encoding.
def log = new File(basedir, 'build.log').text
assert log.contains("[WARNING] nnc: .nn files are always read as UTF-8; generated Java is written in the project's ISO-8859-1")

def generated = new File(basedir, 'target/generated-sources/nn/Gauss.java')
def text = generated.getText('ISO-8859-1')
assert text.contains('Gau\\u00df curve \\u2192 the ni\\u00f1o function.') : text
assert new File(basedir, 'target/classes/Gauss.class').isFile()
