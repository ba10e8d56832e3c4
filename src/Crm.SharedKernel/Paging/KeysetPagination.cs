using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Crm.SharedKernel.Paging;

/// <summary>
/// Keyset (seek) pagination over an EF query: ORDER BY the sort keys plus id, and for later pages a
/// WHERE that starts right after the last row of the previous page. The leading key also gets an
/// inclusive range bound so PostgreSQL can seek the matching index instead of filtering from the start:
/// a page 500,000 rows deep costs the same as the first.
/// </summary>
public static class KeysetPagination
{
    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    /// <summary>Runs the query for one page and builds the next cursor from the last item.</summary>
    public static async Task<Page<TItem>> ToPageAsync<TEntity, TItem>(
        this IQueryable<TEntity> source,
        Expression<Func<TEntity, TItem>> projection,
        SortOrder<TEntity, TItem> order,
        PageRequest page,
        CancellationToken ct)
    {
        var limit = page.EffectiveLimit;
        var query = source;
        if (!string.IsNullOrEmpty(page.Cursor))
        {
            query = query.Where(SeekPredicate(order, CursorCodec.Decode(order, page.Cursor)));
        }

        var items = await ApplyOrder(query, order).Select(projection).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = CursorCodec.Encode(order, order.ValuesOf(items[^1]));
        }

        long? total = page.IncludeTotal ? await source.LongCountAsync(ct) : null;
        return new Page<TItem>(items, next) { Total = total };
    }

    internal static IQueryable<TEntity> ApplyOrder<TEntity, TItem>(IQueryable<TEntity> query, SortOrder<TEntity, TItem> order)
    {
        var expression = query.Expression;
        for (var i = 0; i < order.Keys.Count; i++)
        {
            var key = order.Keys[i];
            var method = (i == 0, key.Descending) switch
            {
                (true, false) => nameof(Queryable.OrderBy),
                (true, true) => nameof(Queryable.OrderByDescending),
                (false, false) => nameof(Queryable.ThenBy),
                (false, true) => nameof(Queryable.ThenByDescending),
            };
            expression = Expression.Call(
                typeof(Queryable), method, [typeof(TEntity), key.Field.KeyType], expression, Expression.Quote(key.Field.EntityKey));
        }

        return query.Provider.CreateQuery<TEntity>(expression);
    }

    /// <summary>
    /// (k1 after v1) OR (k1 = v1 AND k2 after v2) OR ..., AND-ed with "k1 at or after v1" as the index range bound.
    /// </summary>
    internal static Expression<Func<TEntity, bool>> SeekPredicate<TEntity, TItem>(SortOrder<TEntity, TItem> order, object?[] values)
    {
        var row = Expression.Parameter(typeof(TEntity), "row");
        Expression? any = null;
        Expression? equalSoFar = null;
        for (var i = 0; i < order.Keys.Count; i++)
        {
            var key = order.Keys[i];
            var column = Rebind(key.Field.EntityKey, row);
            var value = Parameterized(values[i], key.Field.KeyType);
            var after = Compare(column, value, key.Descending ? ExpressionType.LessThan : ExpressionType.GreaterThan);
            var branch = equalSoFar is null ? after : Expression.AndAlso(equalSoFar, after);
            any = any is null ? branch : Expression.OrElse(any, branch);
            var equal = Expression.Equal(column, value);
            equalSoFar = equalSoFar is null ? equal : Expression.AndAlso(equalSoFar, equal);
        }

        var leading = order.Keys[0];
        var bound = Compare(
            Rebind(leading.Field.EntityKey, row),
            Parameterized(values[0], leading.Field.KeyType),
            leading.Descending ? ExpressionType.LessThanOrEqual : ExpressionType.GreaterThanOrEqual);
        return Expression.Lambda<Func<TEntity, bool>>(Expression.AndAlso(bound, any!), row);
    }

    private static Expression Compare(Expression column, Expression value, ExpressionType comparison)
    {
        if (column.Type == typeof(string))
        {
            // EF translates string.Compare(a, b) > 0 to a > b.
            return Expression.MakeBinary(comparison, Expression.Call(StringCompare, column, value), Expression.Constant(0));
        }

        if (column.Type == typeof(Guid))
        {
            // EF translates a.CompareTo(b) > 0 to a > b for uuid.
            var compareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;
            return Expression.MakeBinary(comparison, Expression.Call(column, compareTo, value), Expression.Constant(0));
        }

        return Expression.MakeBinary(comparison, column, value);
    }

    private static Expression Rebind(LambdaExpression selector, ParameterExpression row) =>
        new ParameterReplacer(selector.Parameters[0], row).Visit(selector.Body);

    /// <summary>A member access on a closure-like holder, so EF sends the value as a SQL parameter, not a literal.</summary>
    private static MemberExpression Parameterized(object? value, Type type)
    {
        var holder = Activator.CreateInstance(typeof(ValueHolder<>).MakeGenericType(type), value)!;
        return Expression.Property(Expression.Constant(holder), nameof(ValueHolder<object>.Value));
    }

    private sealed class ValueHolder<T>(T value)
    {
        public T Value { get; } = value;
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
