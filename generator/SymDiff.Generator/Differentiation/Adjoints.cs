using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// The adjoints of one region of the reverse sweep, kept symbolic: each variable has a list of contributions
    /// that are summed when the variable's definition is reached. Nothing is written until then, so a variable
    /// used once costs no temporary, and one with no contribution costs nothing at all (symbolic zero).
    /// </summary>
    internal sealed class Adjoints
    {
        private readonly Dictionary<string, List<Expr>> _terms = new Dictionary<string, List<Expr>>(StringComparer.Ordinal);
        private readonly List<string> _order = new List<string>();

        public void Add(string name, Expr term)
        {
            if (Ir.IsZero(term))
            {
                return;
            }

            if (!_terms.TryGetValue(name, out var list))
            {
                list = new List<Expr>();
                _terms[name] = list;
                _order.Add(name);
            }

            list.Add(term);
        }

        /// <summary>The summed adjoint of <paramref name="name"/> (zero if none), removed from the region.</summary>
        public Expr Take(string name, ValType type)
        {
            if (!_terms.TryGetValue(name, out var list))
            {
                return Ir.Lit(0, type);
            }

            _terms.Remove(name);
            _order.Remove(name);
            return Ir.Sum(list, type);
        }

        private readonly Dictionary<Elem, List<Expr>> _elements = new Dictionary<Elem, List<Expr>>();
        private readonly List<Elem> _elementOrder = new List<Elem>();

        /// <summary>
        /// A contribution to an element of an active array. Contributions to the same element (same index
        /// expression) are summed, so the region writes each gradient element once.
        /// </summary>
        public void AddElement(Elem element, Expr term)
        {
            if (Ir.IsZero(term))
            {
                return;
            }

            if (!_elements.TryGetValue(element, out var list))
            {
                list = new List<Expr>();
                _elements[element] = list;
                _elementOrder.Add(element);
            }

            list.Add(term);
        }

        /// <summary>The pending element contributions, summed, in first-contribution order; the region is left with none.</summary>
        public List<(Elem Element, Expr Sum)> TakeElements()
        {
            var result = _elementOrder.Select(e => (e, Ir.Sum(_elements[e], e.Type))).ToList();
            _elements.Clear();
            _elementOrder.Clear();
            return result;
        }

        /// <summary>The variables that still have contributions, in the order they first received one.</summary>
        public IReadOnlyList<string> Names => _order.ToList();
    }
}
