package dev.nnc.compiler.frontend;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.CompilationUnit;
import dev.nnc.compiler.frontend.ast.Declaration;
import dev.nnc.compiler.frontend.ast.Expr;
import dev.nnc.compiler.frontend.ast.Statement;
import dev.nnc.grammar.NnLexer;
import dev.nnc.grammar.NnParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.antlr.v4.runtime.BufferedTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Turns a clean parse tree into the AST, attaching spans and {@code ///} doc comments. */
final class AstBuilder {
    private final SourceFile source;
    private final String file;
    private final BufferedTokenStream tokens;

    AstBuilder(SourceFile source, BufferedTokenStream tokens) {
        this.source = source;
        this.file = source.name();
        this.tokens = tokens;
    }

    CompilationUnit build(NnParser.FileContext tree) {
        Optional<String> packageName = Optional.empty();
        Optional<SourceSpan> packageSpan = Optional.empty();
        if (tree.packageDecl() != null) {
            NnParser.QualifiedNameContext name = tree.packageDecl().qualifiedName();
            packageName = Optional.of(name.ID().stream().map(id -> id.getText()).collect(Collectors.joining(".")));
            packageSpan = Optional.of(span(name));
        }
        List<Declaration> declarations = new ArrayList<>();
        for (NnParser.DeclarationContext declaration : tree.declaration()) {
            declarations.add(
                    declaration.network() != null ? network(declaration.network()) : function(declaration.function()));
        }
        return new CompilationUnit(source, packageName, packageSpan, declarations);
    }

    private Declaration.Network network(NnParser.NetworkContext ctx) {
        List<Statement> body = new ArrayList<>();
        for (NnParser.StatementContext statement : ctx.statement()) {
            body.add(statement(statement));
        }
        return new Declaration.Network(ctx.name.getText(), span(ctx.name), body, doc(ctx), span(ctx));
    }

    private Declaration.Function function(NnParser.FunctionContext ctx) {
        List<Declaration.Parameter> parameters = new ArrayList<>();
        for (NnParser.FunctionParamContext param : ctx.params) {
            parameters.add(new Declaration.Parameter(
                    param.name.getText(), span(param.name), shape(param.shape()), span(param)));
        }
        List<Statement> locals = new ArrayList<>();
        Expr result;
        if (ctx.functionBody() instanceof NnParser.ExpressionBodyContext body) {
            result = expr(body.body);
        } else if (ctx.functionBody() instanceof NnParser.BlockBodyContext body) {
            for (NnParser.FunctionLocalContext local : body.statements) {
                locals.add(functionLocal(local));
            }
            result = expr(body.result);
        } else {
            throw new InternalCompilerError(
                    "unknown function body " + ctx.functionBody().getClass());
        }
        return new Declaration.Function(
                ctx.name.getText(), span(ctx.name), parameters, locals, result, doc(ctx), span(ctx));
    }

    private Statement functionLocal(NnParser.FunctionLocalContext ctx) {
        if (ctx instanceof NnParser.FunctionConstContext c) {
            return new Statement.Const(c.name.getText(), span(c.name), expr(c.value), doc(c), span(c));
        }
        if (ctx instanceof NnParser.FunctionDefinitionContext d) {
            return new Statement.Definition(d.name.getText(), span(d.name), expr(d.value), doc(d), span(d));
        }
        throw new InternalCompilerError("unknown function local " + ctx.getClass());
    }

    private Statement statement(NnParser.StatementContext ctx) {
        Optional<String> doc = doc(ctx);
        SourceSpan span = span(ctx);
        if (ctx instanceof NnParser.InputStatementContext s) {
            return new Statement.Input(s.name.getText(), span(s.name), shape(s.shape()), doc, span);
        }
        if (ctx instanceof NnParser.TargetStatementContext s) {
            return new Statement.Target(s.name.getText(), span(s.name), shape(s.shape()), doc, span);
        }
        if (ctx instanceof NnParser.ParamStatementContext s) {
            return new Statement.Param(
                    s.name.getText(),
                    span(s.name),
                    shape(s.shape()),
                    Optional.ofNullable(s.init).map(this::expr),
                    doc,
                    span);
        }
        if (ctx instanceof NnParser.ConstStatementContext s) {
            return new Statement.Const(s.name.getText(), span(s.name), expr(s.value), doc, span);
        }
        if (ctx instanceof NnParser.OutputStatementContext s) {
            return new Statement.Output(expr(s.value), doc, span);
        }
        if (ctx instanceof NnParser.LossStatementContext s) {
            return new Statement.Loss(expr(s.value), doc, span);
        }
        if (ctx instanceof NnParser.OptimizerStatementContext s) {
            return new Statement.Optimizer(expr(s.value), doc, span);
        }
        if (ctx instanceof NnParser.PrecisionStatementContext s) {
            return new Statement.Precision(s.kind.getText(), span(s.kind), doc, span);
        }
        if (ctx instanceof NnParser.SeedStatementContext s) {
            return new Statement.Seed(expr(s.value), doc, span);
        }
        if (ctx instanceof NnParser.DefinitionStatementContext s) {
            return new Statement.Definition(s.name.getText(), span(s.name), expr(s.value), doc, span);
        }
        throw new InternalCompilerError("unknown statement " + ctx.getClass());
    }

    private List<Expr> shape(NnParser.ShapeContext ctx) {
        if (ctx == null) {
            return List.of();
        }
        List<Expr> dims = new ArrayList<>();
        for (NnParser.ExprContext dim : ctx.dims) {
            dims.add(expr(dim));
        }
        return dims;
    }

    private Expr expr(NnParser.ExprContext ctx) {
        if (ctx instanceof NnParser.NumberExprContext e) {
            return new Expr.Number(e.value.getText(), span(e));
        }
        if (ctx instanceof NnParser.NameExprContext e) {
            return new Expr.Name(e.name.getText(), span(e));
        }
        if (ctx instanceof NnParser.ParenExprContext e) {
            return expr(e.inner);
        }
        if (ctx instanceof NnParser.CallExprContext e) {
            List<Expr.Argument> arguments = new ArrayList<>();
            for (NnParser.ArgumentContext argument : e.args) {
                arguments.add(new Expr.Argument(
                        Optional.ofNullable(argument.name).map(Token::getText),
                        Optional.ofNullable(argument.name).map(this::span),
                        expr(argument.value),
                        span(argument)));
            }
            return new Expr.Call(e.callee.getText(), span(e.callee), arguments, span(e));
        }
        if (ctx instanceof NnParser.IndexExprContext e) {
            return new Expr.Index(expr(e.target), expr(e.index), span(e));
        }
        if (ctx instanceof NnParser.ListExprContext e) {
            return new Expr.ListLiteral(e.elements.stream().map(this::expr).toList(), span(e));
        }
        if (ctx instanceof NnParser.SliceExprContext e) {
            return new Expr.Slice(
                    expr(e.target),
                    Optional.ofNullable(e.from).map(this::expr),
                    Optional.ofNullable(e.to).map(this::expr),
                    span(e));
        }
        if (ctx instanceof NnParser.PowerExprContext e) {
            return new Expr.Binary(Expr.BinaryOp.POWER, expr(e.base), expr(e.exponent), span(e.op), span(e));
        }
        if (ctx instanceof NnParser.NegateExprContext e) {
            return new Expr.Unary(Expr.UnaryOp.NEGATE, expr(e.operand), span(e.op), span(e));
        }
        if (ctx instanceof NnParser.PlusExprContext e) {
            return new Expr.Unary(Expr.UnaryOp.PLUS, expr(e.operand), span(e.op), span(e));
        }
        if (ctx instanceof NnParser.MultiplicativeExprContext e) {
            Expr.BinaryOp op = switch (e.op.getType()) {
                case NnLexer.STAR -> Expr.BinaryOp.MULTIPLY;
                case NnLexer.SLASH -> Expr.BinaryOp.DIVIDE;
                default -> Expr.BinaryOp.MATMUL;
            };
            return new Expr.Binary(op, expr(e.left), expr(e.right), span(e.op), span(e));
        }
        if (ctx instanceof NnParser.AdditiveExprContext e) {
            Expr.BinaryOp op = e.op.getType() == NnLexer.PLUS ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUBTRACT;
            return new Expr.Binary(op, expr(e.left), expr(e.right), span(e.op), span(e));
        }
        throw new InternalCompilerError("unknown expression " + ctx.getClass());
    }

    /** The {@code ///} lines right above a construct, without the slashes. */
    private Optional<String> doc(ParserRuleContext ctx) {
        List<Token> comments = FrontEnd.docCommentsBefore(tokens, ctx.getStart().getTokenIndex());
        if (comments.isEmpty()) {
            return Optional.empty();
        }
        String text = comments.stream()
                .map(t -> t.getText().substring(3))
                .map(line -> line.startsWith(" ") ? line.substring(1) : line)
                .map(String::stripTrailing)
                .collect(Collectors.joining("\n"));
        return Optional.of(text);
    }

    private SourceSpan span(ParserRuleContext ctx) {
        return Tokens.span(file, ctx.getStart(), ctx.getStop());
    }

    private SourceSpan span(Token token) {
        return Tokens.span(file, token);
    }
}
