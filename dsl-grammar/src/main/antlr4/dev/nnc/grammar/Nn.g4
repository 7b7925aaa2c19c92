/*
 * The grammar of the .nn language, version 2 (docs/language.md): version 1 plus list literals
 * for sizes (`kernel = [3, 3]`, `reshape(x, [4, 16])`) and slices `x[a:b]`.
 *
 * No actions: every rule element that the AST builder reads carries a label. Names of
 * functions, layers, initialisers and optimizers are plain identifiers here; their meaning
 * (and the "did you mean" for a misspelling) belongs to the semantic stage.
 */
grammar Nn;

file
    : packageDecl? declaration* EOF
    ;

packageDecl
    : PACKAGE qualifiedName SEMI
    ;

qualifiedName
    : ID (DOT ID)*
    ;

declaration
    : network
    | function
    ;

network
    : NETWORK name=ID LBRACE statement* RBRACE
    ;

statement
    : INPUT name=ID shape? SEMI                         # inputStatement
    | TARGET name=ID shape? SEMI                        # targetStatement
    | PARAM name=ID shape? (ASSIGN init=expr)? SEMI     # paramStatement
    | CONST name=ID ASSIGN value=expr SEMI              # constStatement
    | OUTPUT value=expr SEMI                            # outputStatement
    | LOSS value=expr SEMI                              # lossStatement
    | OPTIMIZER value=expr SEMI                         # optimizerStatement
    | PRECISION kind=ID SEMI                            # precisionStatement
    | SEED value=expr SEMI                              # seedStatement
    | name=ID ASSIGN value=expr SEMI                    # definitionStatement
    ;

shape
    : LBRACK dims+=expr (COMMA dims+=expr)* RBRACK
    ;

function
    : FUNCTION name=ID LPAREN (params+=functionParam (COMMA params+=functionParam)*)? RPAREN
      functionBody
    ;

functionBody
    : ASSIGN body=expr SEMI                                          # expressionBody
    | LBRACE statements+=functionLocal* RETURN result=expr SEMI RBRACE # blockBody
    ;

functionParam
    : name=ID shape?
    ;

functionLocal
    : CONST name=ID ASSIGN value=expr SEMI              # functionConst
    | name=ID ASSIGN value=expr SEMI                    # functionDefinition
    ;

// Precedence, high to low: call, index and slice; power (right-associative); unary minus;
// * / @; + -. Unary minus is a prefix alternative, so `2 ^ -1` parses as 2^(-1) and
// `-x ^ 2` as -(x^2).
expr
    : callee=ID LPAREN (args+=argument (COMMA args+=argument)*)? RPAREN   # callExpr
    | target=expr LBRACK index=expr RBRACK                               # indexExpr
    | target=expr LBRACK from=expr? COLON to=expr? RBRACK                # sliceExpr
    | <assoc=right> base=expr op=CARET exponent=expr                     # powerExpr
    | op=MINUS operand=expr                                              # negateExpr
    | op=PLUS operand=expr                                               # plusExpr
    | left=expr op=(STAR | SLASH | AT) right=expr                        # multiplicativeExpr
    | left=expr op=(PLUS | MINUS) right=expr                             # additiveExpr
    | LPAREN inner=expr RPAREN                                           # parenExpr
    | value=NUMBER                                                       # numberExpr
    | name=ID                                                            # nameExpr
    // A list is no value: the semantic stage accepts it only as sizes (kernel, stride, padding,
    // dilation, size, a reshape's shape) and explains any other use, which a syntax error
    // could not.
    | LBRACK elements+=expr (COMMA elements+=expr)* RBRACK               # listExpr
    ;

argument
    : (name=ID ASSIGN)? value=expr
    ;

// Keywords.
PACKAGE   : 'package';
NETWORK   : 'network';
FUNCTION  : 'function';
INPUT     : 'input';
TARGET    : 'target';
PARAM     : 'param';
CONST     : 'const';
OUTPUT    : 'output';
LOSS      : 'loss';
OPTIMIZER : 'optimizer';
PRECISION : 'precision';
SEED      : 'seed';
RETURN    : 'return';

// Punctuation and operators.
LPAREN : '(';
RPAREN : ')';
LBRACK : '[';
RBRACK : ']';
LBRACE : '{';
RBRACE : '}';
SEMI   : ';';
COMMA  : ',';
COLON  : ':';
DOT    : '.';
ASSIGN : '=';
PLUS   : '+';
MINUS  : '-';
STAR   : '*';
SLASH  : '/';
AT     : '@';
CARET  : '^';

NUMBER
    : DIGIT+ ('.' DIGIT+)? ([eE] [+-]? DIGIT+)?
    ;

ID
    : [A-Za-z_] [A-Za-z0-9_]*
    ;

// A name with letters outside ASCII (`año`). It is one token, longer than any ID it
// contains, so the front end can report the whole name once instead of a cascade.
NON_ASCII_NAME
    : [\p{L}_] [\p{L}\p{N}_]*
    ;

fragment DIGIT : [0-9];

// A `///` line is a doc comment; it travels on its own channel so that the AST builder
// can attach it to the declaration or statement that follows.
DOC_COMMENT
    : '///' ~[\r\n]* -> channel(2)
    ;

LINE_COMMENT
    : '//' ~[\r\n]* -> channel(HIDDEN)
    ;

BLOCK_COMMENT
    : '/*' .*? '*/' -> channel(HIDDEN)
    ;

// A comment that runs to the end of the file: reported at the opener, not at end of file.
// Its body cannot contain `*/`, otherwise this longer match would swallow every comment
// that is followed by more text.
UNTERMINATED_BLOCK_COMMENT
    : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF
    ;

WS
    : [ \t\r\n\f]+ -> channel(HIDDEN)
    ;

// Anything else is one bad character; the front end turns it into a positioned diagnostic
// that names the code point, instead of ANTLR's "token recognition error".
BAD_CHARACTER
    : .
    ;
