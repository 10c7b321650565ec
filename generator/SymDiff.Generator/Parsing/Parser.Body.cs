using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        /// <summary>
        /// Thrown at the first construct outside the supported subset; caught once at the top of
        /// <see cref="BodyParser.ParseBody"/> and turned into a diagnostic at that construct.
        /// </summary>
        private sealed class UnsupportedException : Exception
        {
            public UnsupportedException(SyntaxNode? node, DiagnosticDescriptor descriptor, params string[] arguments)
            {
                Node = node;
                Descriptor = descriptor;
                Arguments = arguments;
            }

            public SyntaxNode? Node { get; }

            public DiagnosticDescriptor Descriptor { get; }

            public string[] Arguments { get; }
        }

        /// <summary>
        /// The "fence": the one definition of the C# subset a differentiable body may use. Reads the body's
        /// operation tree into <see cref="SourceStmt"/>s and reports the first construct outside the subset.
        /// </summary>
        private sealed partial class BodyParser
        {
            private readonly IMethodSymbol _method;
            private readonly SemanticModel _model;
            private readonly Dictionary<string, ParamSpec> _parameters;
            private readonly CancellationToken _ct;
            private readonly Dictionary<ILocalSymbol, string> _locals = new Dictionary<ILocalSymbol, string>(SymbolEqualityComparer.Default);

            /// <summary>
            /// Int locals set once, by their declaration, to a value known when the method starts
            /// (<c>int hidden = x.Length / 2;</c>): a buffer's length may use them. Values are in terms of parameters.
            /// </summary>
            private readonly Dictionary<string, Expr> _knownInts = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>Locals written anywhere but by their declaration's initializer.</summary>
            private HashSet<ILocalSymbol> _rewritten = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);

            /// <summary>The parameters the body assigns: their value is not the one the method started with.</summary>
            private HashSet<string> _rewrittenParameters = new HashSet<string>(StringComparer.Ordinal);
            private readonly KnownTypes _known;
            private int _loopDepth;

            public BodyParser(IMethodSymbol method, SemanticModel model, List<ParamSpec> parameters, CancellationToken ct)
            {
                _method = method;
                _model = model;
                _parameters = parameters.ToDictionary(p => p.Name);
                _ct = ct;
                _known = new KnownTypes(model.Compilation);
                foreach (var p in parameters)
                {
                    UserNames.Add(p.Name);
                }
            }

            public List<LocationInfo> Sites { get; } = new List<LocationInfo>();

            public HashSet<string> UserNames { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Each local given a name of its own because its source name was taken (<c>i2</c>), with the name it was made from (<c>i</c>).</summary>
            public Dictionary<string, string> SourceNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public List<SourceStmt>? ParseBody(MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
            {
                SyntaxNode? bodySyntax = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
                if (bodySyntax is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, LocationInfo.From(syntax.Identifier.GetLocation()), "A method without a body", string.Empty));
                    return null;
                }

                // Collect every local's name first, so names SymDiff makes up never clash with the user's.
                foreach (var declarator in bodySyntax.DescendantNodes().OfType<VariableDeclaratorSyntax>())
                {
                    UserNames.Add(declarator.Identifier.ValueText);
                }

                foreach (var loopVariable in bodySyntax.DescendantNodes().OfType<ForEachStatementSyntax>())
                {
                    UserNames.Add(loopVariable.Identifier.ValueText);
                }

                try
                {
                    var operation = _model.GetOperation(syntax, _ct) as IMethodBodyOperation;
                    var block = operation?.BlockBody ?? operation?.ExpressionBody;
                    if (block is null)
                    {
                        throw new UnsupportedException(bodySyntax, DiagnosticDescriptors.UnsupportedConstruct, "This method body", " (it does not compile)");
                    }

                    if (block.Syntax.ContainsDiagnostics || block.Descendants().Any(o => o.Kind == OperationKind.Invalid))
                    {
                        // The compiler reports the errors; differentiating broken code would only add noise.
                        return null;
                    }

                    _rewritten = RewrittenLocals(block);
                    _rewrittenParameters = RewrittenParameters(block);
                    var statements = new List<SourceStmt>();
                    var operations = block is IBlockOperation b ? b.Operations : ImmutableArray.Create<IOperation>(block);
                    int first = 0;
                    while (first < operations.Length && Guard(operations[first]) is { } guard)
                    {
                        Guards.Add(guard);
                        first++;
                    }

                    if (first < operations.Length && GuardedReturn(operations[first]) is { } guarded)
                    {
                        Guards.Add(guarded.Guard);
                        statements.Add(new SourceReturn(ParseExpr(guarded.Value)));
                        first++;
                    }

                    ParseStatements(operations.Skip(first), statements);
                    return statements;
                }
                catch (UnsupportedException e)
                {
                    diagnostics.Add(DiagnosticInfo.Create(e.Descriptor, LocationInfo.From(e.Node), e.Arguments));
                    return null;
                }
            }

            /// <summary>The argument checks at the top of the body (API.md 9, guards), run first by every generated method.</summary>
            public List<GuardSpec> Guards { get; } = new List<GuardSpec>();

            /// <summary>
            /// <c>if (condition) throw exception;</c> (or with braces), or a throw helper of an exception type called as a
            /// statement (<c>ArgumentOutOfRangeException.ThrowIfNegative(n);</c>, <c>ArgumentNullException.ThrowIfNull(x);</c>, the
            /// framework's own, which only check and throw): a guard, when it is one of the first statements.
            /// </summary>
            private GuardSpec? Guard(IOperation operation)
            {
                if (operation is IExpressionStatementOperation { Operation: IInvocationOperation { TargetMethod: { IsStatic: true, ReturnsVoid: true } helper } call }
                    && helper.Name.StartsWith("Throw", System.StringComparison.Ordinal) && IsException(helper.ContainingType)
                    && helper.ContainingNamespace?.ToDisplayString() is "System" or "System.IO" && call.Syntax is ExpressionSyntax callSyntax)
                {
                    string? code = GuardPrinter.Print(callSyntax, _model, out string? problem);
                    return code is null
                        ? throw Unsupported(callSyntax, $"An argument check that uses {problem}", " (a guard is copied into every generated method, where the file's using directives do not apply; call the method in full)")
                        : new GuardSpec(string.Empty, string.Empty) { Call = code };
                }

                if (operation is not IConditionalOperation { WhenFalse: null } conditional || conditional.Condition.Syntax is not ExpressionSyntax condition)
                {
                    return null;
                }

                var body = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : conditional.WhenTrue;
                if (body is IExpressionStatementOperation statement)
                {
                    body = statement.Operation;
                }

                return body is IThrowOperation { Exception: { } exception } ? MakeGuard(condition, negate: false, exception) : null;
            }

            /// <summary>
            /// <c>return condition ? value : throw exception;</c> (or <c>=&gt;</c>, or the throw first), first after the
            /// guards: a guard and the value returned.
            /// </summary>
            private (GuardSpec Guard, IOperation Value)? GuardedReturn(IOperation operation)
            {
                if (operation is not IReturnOperation { ReturnedValue: { } returned } || Unwrap(returned) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional
                    || conditional.Condition.Syntax is not ExpressionSyntax condition)
                {
                    return null;
                }

                if (Unwrap(whenFalse) is IThrowOperation { Exception: { } onFalse })
                {
                    return (MakeGuard(condition, negate: true, onFalse), conditional.WhenTrue);
                }

                if (Unwrap(conditional.WhenTrue) is IThrowOperation { Exception: { } onTrue })
                {
                    return (MakeGuard(condition, negate: false, onTrue), whenFalse);
                }

                return null;
            }

            /// <summary>Whether <paramref name="type"/> is <c>System.Exception</c> or derives from it.</summary>
            private static bool IsException(INamedTypeSymbol? type)
            {
                for (var t = type; t is not null; t = t.BaseType)
                {
                    if (t is { Name: "Exception", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
                    {
                        return true;
                    }
                }

                return false;
            }

            private GuardSpec MakeGuard(ExpressionSyntax condition, bool negate, IOperation exception)
            {
                string? test = GuardPrinter.Print(condition, _model, out string? problem);
                string? thrown = problem is null && exception.Syntax is ExpressionSyntax e ? GuardPrinter.Print(e, _model, out problem) : null;
                if (test is null || thrown is null)
                {
                    throw Unsupported(condition.Parent, $"An argument check that uses {problem ?? "this expression"}", " (a guard is copied into every generated method, where the file's using directives do not apply; call the method in full)");
                }

                return new GuardSpec(negate ? "!(" + test + ")" : test, thrown);
            }

            /// <summary>The user's statements that parsed statements come from (<see cref="SourceStmt.Origin"/> indexes it).</summary>
            public List<SourceOrigin> Origins { get; } = new List<SourceOrigin>();

            /// <summary>Records <paramref name="syntax"/> as an origin: its line and its text on one line.</summary>
            private int AddOrigin(SyntaxNode syntax)
            {
                int line = syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                Origins.Add(new SourceOrigin(line, OneLine(syntax.ToString())));
                return Origins.Count - 1;
            }

            private static string OneLine(string text)
            {
                var sb = new System.Text.StringBuilder(text.Length);
                bool space = false;
                foreach (char ch in text)
                {
                    if (char.IsWhiteSpace(ch) || char.IsControl(ch))
                    {
                        space = sb.Length > 0;
                        continue;
                    }

                    if (space)
                    {
                        sb.Append(' ');
                        space = false;
                    }

                    sb.Append(ch);
                }

                const int Longest = 120;
                return sb.Length <= Longest ? sb.ToString() : sb.ToString(0, Longest - 3) + "...";
            }

            /// <summary>Gives the statements <paramref name="syntax"/> just added to <paramref name="into"/> (from <paramref name="from"/> on) it as their origin.</summary>
            private void MarkOrigin(List<SourceStmt> into, int from, SyntaxNode syntax)
            {
                int origin = -1;
                for (int k = from; k < into.Count; k++)
                {
                    if (into[k] is (SourceAssign or SourceStore or SourceReturn) and { Origin: -1 })
                    {
                        if (origin < 0)
                        {
                            origin = AddOrigin(syntax);
                        }

                        into[k] = into[k] with { Origin = origin };
                    }
                }
            }

            private static IOperation? Unwrap(IOperation? operation)
            {
                while (operation is IConversionOperation { OperatorMethod: null } conversion)
                {
                    operation = conversion.Operand;
                }

                return operation;
            }

            private string Declare(ILocalSymbol local)
            {
                if (_locals.TryGetValue(local, out var existing))
                {
                    return existing;
                }

                // Sibling scopes may reuse a name; the IR needs one name per local.
                string name = _locals.ContainsValue(local.Name) || _parameters.ContainsKey(local.Name) || _inlinedNames.Contains(local.Name) ? FreshUserName(local.Name) : local.Name;
                _locals[local] = name;
                UserNames.Add(name);
                return name;
            }

            private string FreshUserName(string stem)
            {
                string name = stem;
                for (int i = 2; UserNames.Contains(name) || _locals.ContainsValue(name); i++)
                {
                    name = stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                UserNames.Add(name);
                if (name != stem)
                {
                    SourceNames[name] = stem;
                }

                return name;
            }

            private int AddSite(SyntaxNode syntax)
            {
                Sites.Add(LocationInfo.From(syntax)!);
                return Sites.Count - 1;
            }

            private int AddSite(SyntaxToken token)
            {
                Sites.Add(LocationInfo.From(token.GetLocation())!);
                return Sites.Count - 1;
            }

            private static UnsupportedException Unsupported(SyntaxNode? syntax, string what, string hint) =>
                new UnsupportedException(syntax, DiagnosticDescriptors.UnsupportedConstruct, what, hint);

            /// <summary>A user-facing name for an unsupported operation.</summary>
            private static string Describe(IOperation operation) => operation switch
            {
                IAnonymousFunctionOperation or IDelegateCreationOperation => "A lambda or delegate",
                ILocalFunctionOperation => "A local function",
                ITryOperation => "try/catch/finally",
                IThrowOperation => "A throw other than an argument check at the top of the method",
                ISwitchOperation or ISwitchExpressionOperation => "switch",
                IUsingOperation or IUsingDeclarationOperation => "using",
                ILockOperation => "lock",
                IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation or ITypeParameterObjectCreationOperation => "Allocation ('new')",
                IBranchOperation { BranchKind: BranchKind.GoTo } => "goto",
                ILabeledOperation => "A label",
                IAwaitOperation => "await",
                IInterpolatedStringOperation or ILiteralOperation => $"The value '{operation.Syntax}'",
                _ => $"'{operation.Syntax}'",
            };
        }
    }
}
