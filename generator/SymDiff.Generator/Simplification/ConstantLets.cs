using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass: an integer local SymDiff made that holds a constant (<c>int j2 = 3;</c>, a loop's final counter
    /// when its bound is a constant) is written as that constant where it is read (<c>for (int j = 3 - 1; ...)</c> is
    /// <c>for (int j = 2; ...)</c>, <c>Checks.Row(p, t3, 3)</c>), and the let goes. Integer sums, differences and products
    /// of two constants that the substitution makes are folded when the result fits in an <c>int</c>; a read where
    /// any other operation on constants only would be left (an overflow, a division, a constant condition) keeps its let. Never a floating-point value, never a user's own local (the user named
    /// it), never a name read in C# text, never a name assigned anywhere (declared ahead). A loop counter stays a loop
    /// counter: only lets are substituted, so a loop that starts from the constant still counts in its own variable.
    /// </summary>
    internal static class ConstantLets
    {
        /// <param name="body">The scheduled body (names unique: SSA).</param>
        /// <param name="userNames">The user's names: their lets stay.</param>
        public static Block Apply(Block body, ISet<string> userNames)
        {
            var candidates = new Dictionary<string, Expr>(StringComparer.Ordinal);
            var definitions = new Dictionary<string, int>(StringComparer.Ordinal);
            var assigned = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                foreach (var name in Walk.Defines(s))
                {
                    definitions[name] = definitions.TryGetValue(name, out int n) ? n + 1 : 1;
                }

                if (s is Assign a)
                {
                    assigned.Add(a.Name);
                }

                if (s is Let { Value: Const { Type: ValType.Int } value } let && !userNames.Contains(let.Name))
                {
                    candidates[let.Name] = value;
                }
            }

            if (candidates.Count == 0)
            {
                return body;
            }

            var expressions = new List<Expr>();
            Walk.AllExpressions(body, expressions);
            foreach (var e in expressions)
            {
                if (Walk.Contains(e, x => x is Opaque or UserCall))
                {
                    foreach (var o in Opaques(e))
                    {
                        foreach (var token in ScopedNames.Tokens(o))
                        {
                            candidates.Remove(token);
                        }
                    }
                }
            }

            foreach (var name in candidates.Keys.ToList())
            {
                if (definitions[name] != 1 || assigned.Contains(name))
                {
                    candidates.Remove(name);
                }
            }

            // A read where the constant would leave constant arithmetic C# does not fold the same way (an overflow, a
            // division, a comparison that makes a condition constant) keeps its let.
            for (bool again = candidates.Count > 0; again;)
            {
                again = false;
                foreach (var e in expressions)
                {
                    var read = new List<string>();
                    Walk.Vars(e, v =>
                    {
                        if (candidates.ContainsKey(v))
                        {
                            read.Add(v);
                        }
                    });
                    if (read.Count > 0 && Walk.Contains(Substitute(e, candidates), IsConstantArithmetic))
                    {
                        read.ForEach(r => candidates.Remove(r));
                        again = true;
                    }
                }
            }

            return candidates.Count == 0 ? body : Visit(body, candidates);
        }

        private static Block Visit(Block block, Dictionary<string, Expr> constants)
        {
            var statements = new List<Stmt>(block.Statements.Count);
            bool changed = false;
            foreach (var s in block.Statements)
            {
                if (s is Let let && constants.ContainsKey(let.Name))
                {
                    changed = true;
                    continue;
                }

                var mapped = Walk.MapExpressions(Walk.MapBlocks(s, b => Visit(b, constants)), e => Substitute(e, constants));
                changed |= !ReferenceEquals(mapped, s);
                statements.Add(mapped);
            }

            return changed ? new Block(statements.ToEquatableArray()) : block;
        }

        /// <summary>The expression with the constants in, folded where the substitution made constant integer arithmetic.</summary>
        private static Expr Substitute(Expr e, Dictionary<string, Expr> constants)
        {
            bool reads = false;
            Walk.Vars(e, v => reads |= constants.ContainsKey(v));
            return reads ? Walk.Transform(Walk.Substitute(e, constants), Fold) : e;
        }

        /// <summary><c>3 - 1</c> is <c>2</c>: integer addition, subtraction and multiplication of two constants, when the result is an int.</summary>
        internal static Expr Fold(Expr e)
        {
            if (e is not Binary { Type: ValType.Int, Left: Const { Type: ValType.Int } left, Right: Const { Type: ValType.Int } right } binary)
            {
                return e;
            }

            long a = (long)left.Value;
            long b = (long)right.Value;
            long? result = binary.Op switch
            {
                BinaryOp.Add => a + b,
                BinaryOp.Sub => a - b,
                BinaryOp.Mul => a * b,
                _ => null,
            };
            return result is long r && r >= int.MinValue && r <= int.MaxValue ? Const.Of(r, ValType.Int) : e;
        }

        /// <summary>An operation on constants only (what <see cref="Fold"/> left): C# would evaluate it at compile time.</summary>
        internal static bool IsConstantArithmetic(Expr e) => e switch
        {
            Binary b => b.Left is Const && b.Right is Const,
            Unary u => u.Operand is Const,
            IR.Cond c => c.Condition is Const,
            _ => false,
        };

        /// <summary>The C# text an expression holds: opaque code and the names of called methods.</summary>
        private static IEnumerable<string> Opaques(Expr e)
        {
            var texts = new List<string>();
            void Collect(Expr x)
            {
                if (x is Opaque o)
                {
                    texts.Add(o.Code);
                }
                else if (x is UserCall c)
                {
                    texts.Add(c.Callee.Qualified(string.Empty));
                }

                foreach (var child in Walk.Children(x))
                {
                    Collect(child);
                }
            }

            Collect(e);
            return texts;
        }
    }
}
