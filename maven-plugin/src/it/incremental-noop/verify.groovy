// The second build found nothing changed, left the generated file alone, and still compiled it.
def log = new File(basedir, 'build.log').text
assert log.contains('nnc: 1 class from 1 spec in target/generated-sources/nn (1 written, 0 unchanged, 0 removed)')
assert log.contains('nnc: nothing changed since the last build (1 spec), target/generated-sources/nn is up to date')

def generated = new File(basedir, 'target/generated-sources/nn/Xor.java')
assert generated.lastModified() == 946684800000L : "second build touched ${generated}: ${new Date(generated.lastModified())}"
assert new File(basedir, 'target/classes/Xor.class').isFile()

// Classes each build loaded, from the JVM's class+load log: "[...] NAME source: WHERE".
def loaded = { int build ->
    new File(basedir, "classes-build-${build}.log").readLines()
            .collect { (it =~ /\] (\S+) source: /).with { it.find() ? it.group(1) : null } }
            .findAll { it != null }
}
// Parser, back end and the compiler's stages; dev.nnc.compiler.Compiler itself is loaded to
// find the compiler's version and jar, which are part of the incremental state.
def compilerProper = { String name ->
    name.startsWith('org.antlr.') || name.startsWith('com.palantir.javapoet.')
            || (name.startsWith('dev.nnc.compiler.') && name != 'dev.nnc.compiler.Compiler')
}
def first = loaded(1)
assert first.contains('dev.nnc.maven.GenerateMojo')
assert first.any { it.startsWith('org.antlr.') } && first.any { it.startsWith('com.palantir.javapoet.') }
def second = loaded(2)
assert second.contains('dev.nnc.maven.GenerateMojo')
assert second.findAll(compilerProper) == [] : 'an unchanged build loaded the compiler'
