using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace SymDiff.Generator.Helpers
{
    /// <summary>
    /// The work budget of one method: what the generator is willing to build inside the compiler, so that anything it
    /// accepts generates in well under two seconds and nothing runs out of stack or memory. Past a limit the method
    /// gets SD1009 and throwing stubs; every other method is generated as usual.
    /// </summary>
    internal static class Limits
    {
        /// <summary>The deepest syntax nesting (expressions, statements) accepted in a differentiable body.</summary>
        public const int MaxNesting = 6_500;

        /// <summary>The most statements (counting those nested in branches and loops) accepted in a differentiable body.</summary>
        public const int MaxStatements = 5_000;

        /// <summary>Bodies nested deeper than this are parsed, differentiated and emitted on a thread with a large stack.</summary>
        public const int DeepNesting = 200;

        /// <summary>The most names one phase may make for one method: every let, adjoint, tangent and temporary has one.</summary>
        public const int MaxNames = 100_000;

        /// <summary>The stack of the thread that handles deeply nested methods.</summary>
        public const int DeepStackBytes = 256 * 1024 * 1024;

        [ThreadStatic]
        private static CancellationToken t_cancellation;

        /// <summary>The token of the compilation step running on this thread: long phases check it as they go, so an edit in the IDE stops them.</summary>
        public static CancellationToken Cancellation
        {
            get => t_cancellation;
            set => t_cancellation = value;
        }

        /// <summary>Throws <see cref="OperationCanceledException"/> when the step on this thread was cancelled.</summary>
        public static void ThrowIfCancelled() => t_cancellation.ThrowIfCancellationRequested();

        /// <summary>Throws <see cref="InsufficientExecutionStackException"/> before a recursion whose depth follows the user's code can overflow the stack.</summary>
        public static void EnsureStack() => RuntimeHelpers.EnsureSufficientExecutionStack();

        /// <summary>
        /// Runs <paramref name="work"/> on a thread with a <see cref="DeepStackBytes"/> stack and returns its result (or
        /// rethrows its exception): for methods nested deeper than the compiler's own thread can walk recursively.
        /// </summary>
        public static T OnDeepStack<T>(Func<T> work)
        {
            T result = default!;
            ExceptionDispatchInfo? failure = null;
            var thread = new Thread(
                () =>
                {
                    try
                    {
                        result = work();
                    }
                    catch (Exception e)
                    {
                        failure = ExceptionDispatchInfo.Capture(e);
                    }
                },
                DeepStackBytes)
            {
                Name = "SymDiff deep method",
                IsBackground = true,
            };
            thread.Start();
            thread.Join();
            failure?.Throw();
            return result;
        }
    }

    /// <summary>Thrown when a phase would build more than <see cref="Limits"/> allows; becomes SD1009.</summary>
    internal sealed class BudgetExceededException : Exception
    {
        public BudgetExceededException(string limit)
            : base(limit)
        {
        }
    }
}
