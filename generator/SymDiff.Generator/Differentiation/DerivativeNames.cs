using System.Linq;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// The names SymDiff makes up for what it generates, in one place: gradient outputs (<c>dA</c>), tangent parameters
    /// (<c>tA</c>), adjoints (<c>sBar</c>), tangents (<c>sDot</c>), the partials of a call (<c>dYdX</c>), tapes. Each is
    /// a stem: a namer (<see cref="IR.Namer"/>) still makes it unique where it is used.
    /// </summary>
    internal static class DerivativeNames
    {
        /// <summary>What an adjoint's name ends with: the adjoint of <c>s</c> is <c>sBar</c>.</summary>
        public const string AdjointSuffix = "Bar";

        /// <summary>What a tangent's name ends with: the tangent of <c>s</c> is <c>sDot</c>.</summary>
        public const string TangentSuffix = "Dot";

        /// <summary>The name with its first letter upper-cased.</summary>
        public static string Capitalize(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

        /// <summary>The user's name without an SSA version suffix: <c>s_2</c> → <c>s</c>.</summary>
        public static string Stem(string name)
        {
            int underscore = name.LastIndexOf('_');
            if (underscore > 0 && underscore < name.Length - 1 && name.Substring(underscore + 1).All(char.IsDigit))
            {
                return name.Substring(0, underscore);
            }

            return name;
        }

        /// <summary>The name of the gradient buffer or output for a parameter (or a retained local): <c>a</c> → <c>dA</c>.</summary>
        public static string Gradient(string parameter) => "d" + Capitalize(parameter);

        /// <summary>The name of the tangent (direction) parameter of forward mode for a parameter: <c>a</c> → <c>tA</c>.</summary>
        public static string Tangent(string parameter) => "t" + Capitalize(parameter);

        /// <summary>The adjoint of a value, buffer or output: <c>s</c> → <c>sBar</c>.</summary>
        public static string Adjoint(string stem) => stem + AdjointSuffix;

        /// <summary>The tangent of a value or buffer: <c>s</c> → <c>sDot</c>.</summary>
        public static string TangentOf(string stem) => stem + TangentSuffix;

        /// <summary>The partial derivative of a call's value <paramref name="value"/> with respect to the callee's parameter: <c>dYdX</c>.</summary>
        public static string Partial(string value, string parameter) => "d" + Capitalize(Stem(value)) + "d" + Capitalize(parameter);

        /// <summary>The tape that stores a value across iterations: <c>s</c> → <c>sTape</c>.</summary>
        public static string Tape(string stem) => stem + "Tape";

        /// <summary>Where a parameter's entries start in a flattened vector (Jacobian, HVP): <c>a</c> → <c>atA</c>.</summary>
        public static string Offset(string parameter) => "at" + Capitalize(parameter);

        /// <summary>A parameter's slice of a flattened direction vector (HVP): <c>a</c> → <c>pA</c>.</summary>
        public static string Slice(string parameter) => "p" + Capitalize(parameter);
    }
}
