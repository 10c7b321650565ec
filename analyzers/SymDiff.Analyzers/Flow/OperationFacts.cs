using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace SymDiff.Analyzers.Flow
{
    /// <summary>Small questions about IOperation trees that several analyzers ask.</summary>
    internal static class OperationFacts
    {
        /// <summary>Strips parentheses and conversions (including <c>T[]</c> to <c>Span&lt;T&gt;</c>, a user-defined one).</summary>
        public static IOperation? Unwrap(IOperation? operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        break;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        break;
                    default:
                        return operation;
                }
            }
        }

        /// <summary>
        /// The loops that run <paramref name="operation"/> once per iteration, innermost first. The walk stops at a
        /// lambda or local function: loops outside it do not run its body.
        /// </summary>
        public static List<ILoopOperation> EnclosingLoops(IOperation operation)
        {
            var loops = new List<ILoopOperation>();
            var child = operation;
            for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    break;
                }

                if (parent is ILoopOperation loop && IsIterated(loop, child))
                {
                    loops.Add(loop);
                }
            }

            return loops;
        }

        /// <summary>The parts of <paramref name="loop"/> that run on every iteration: body, condition and increments.</summary>
        public static IEnumerable<IOperation> IteratedParts(ILoopOperation loop)
        {
            yield return loop.Body;
            switch (loop)
            {
                case IForLoopOperation forLoop:
                    if (forLoop.Condition is not null)
                    {
                        yield return forLoop.Condition;
                    }

                    foreach (var increment in forLoop.AtLoopBottom)
                    {
                        yield return increment;
                    }

                    break;
                case IWhileLoopOperation whileLoop:
                    if (whileLoop.Condition is not null)
                    {
                        yield return whileLoop.Condition;
                    }

                    break;
            }
        }

        /// <summary>Every operation in the iterated parts of <paramref name="loop"/>, in source order within each part.</summary>
        public static IEnumerable<IOperation> IteratedOperations(ILoopOperation loop)
        {
            foreach (var part in IteratedParts(loop))
            {
                foreach (var operation in part.DescendantsAndSelf())
                {
                    yield return operation;
                }
            }
        }

        /// <summary>Whether <paramref name="local"/> is declared inside the body of <paramref name="loop"/> (a new variable every iteration).</summary>
        public static bool IsDeclaredInBody(ILocalSymbol local, ILoopOperation loop)
        {
            foreach (var reference in local.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree == loop.Body.Syntax.SyntaxTree && loop.Body.Syntax.Span.Contains(reference.Span))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The innermost loop that runs <paramref name="operation"/> on each iteration, or null.</summary>
        public static ILoopOperation? InnermostLoop(IOperation operation)
        {
            var loops = EnclosingLoops(operation);
            return loops.Count == 0 ? null : loops[0];
        }

        /// <summary>Whether <paramref name="operation"/> is the constant zero (<c>0</c>, <c>0.0</c>, <c>0f</c>, <c>default</c>).</summary>
        public static bool IsZero(IOperation? operation)
        {
            operation = Unwrap(operation);
            if (operation is IDefaultValueOperation)
            {
                return true;
            }

            if (operation is null || !operation.ConstantValue.HasValue)
            {
                return false;
            }

            return operation.ConstantValue.Value switch
            {
                double d => d == 0,
                float f => f == 0,
                int i => i == 0,
                long l => l == 0,
                decimal m => m == 0,
                _ => false,
            };
        }

        private static bool IsIterated(ILoopOperation loop, IOperation child)
        {
            foreach (var part in IteratedParts(loop))
            {
                if (ReferenceEquals(part, child))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
