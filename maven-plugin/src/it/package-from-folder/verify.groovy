// com/acme/xor.nn (no package line) -> com.acme.Xor; com/acme/gauss.nn (package line) -> org.example.functions.Gauss.
def xor = new File(basedir, 'target/generated-sources/nn/com/acme/Xor.java')
assert xor.isFile()
assert xor.text.contains('package com.acme;')
assert new File(basedir, 'target/classes/com/acme/Xor.class').isFile()

def gauss = new File(basedir, 'target/generated-sources/nn/org/example/functions/Gauss.java')
assert gauss.isFile()
assert gauss.text.contains('package org.example.functions;')
assert new File(basedir, 'target/classes/org/example/functions/Gauss.class').isFile()
