using System.Linq.Expressions;
using Crm.SharedKernel.Errors;

namespace Crm.SharedKernel.Paging;

/// <summary>
/// The fields a list may be sorted by (<c>?sort=-createdAt,name</c>). Each field names the entity column
/// (for ORDER BY and the keyset seek) and the same value on the returned item (for the next cursor).
/// Only non-null, indexed columns belong here; the id is always appended as the unique tie-breaker.
/// </summary>
public sealed class SortDefinition<TEntity, TItem>
{
    private readonly Dictionary<string, SortField> _fields = new(StringComparer.Ordinal);
    private readonly SortField _id;
    private readonly string _defaultSort;

    public SortDefinition(Expression<Func<TEntity, Guid>> entityId, Func<TItem, Guid> itemId, string defaultSort)
    {
        _id = SortField.Create("id", entityId, itemId);
        _defaultSort = defaultSort;
    }

    /// <summary>Adds a sortable field under its API (camelCase) name.</summary>
    public SortDefinition<TEntity, TItem> Add<TKey>(string name, Expression<Func<TEntity, TKey>> entityKey, Func<TItem, TKey> itemKey)
        where TKey : notnull
    {
        _fields.Add(name, SortField.Create(name, entityKey, itemKey));
        return this;
    }

    /// <summary>The field names accepted by <see cref="Parse"/>.</summary>
    public IEnumerable<string> FieldNames => _fields.Keys;

    /// <summary>Parses <c>sort</c>; unknown or repeated fields are a 400 with a <c>sort</c> field error.</summary>
    public SortOrder<TEntity, TItem> Parse(string? sort)
    {
        var text = string.IsNullOrWhiteSpace(sort) ? _defaultSort : sort;
        var keys = new List<SortKey>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var descending = part.StartsWith('-');
            var name = part.TrimStart('-', '+');
            if (!_fields.TryGetValue(name, out var field))
            {
                throw ValidationFailedException.For("sort", $"Cannot sort by '{name}'. Sortable fields: {string.Join(", ", _fields.Keys)}.");
            }

            if (keys.Any(k => k.Field == field))
            {
                throw ValidationFailedException.For("sort", $"'{name}' appears more than once.");
            }

            keys.Add(new SortKey(field, descending));
        }

        keys.Add(new SortKey(_id, keys[^1].Descending));
        return new SortOrder<TEntity, TItem>(keys);
    }
}

/// <summary>A parsed sort: the keys in order, the last one always the id.</summary>
public sealed class SortOrder<TEntity, TItem>
{
    internal SortOrder(IReadOnlyList<SortKey> keys)
    {
        Keys = keys;
        Signature = string.Join(',', keys.Select(k => (k.Descending ? "-" : string.Empty) + k.Field.Name));
    }

    internal IReadOnlyList<SortKey> Keys { get; }

    /// <summary>A canonical text of the order; a cursor is only valid for the order that issued it.</summary>
    public string Signature { get; }

    internal object?[] ValuesOf(TItem item) => Keys.Select(k => k.Field.ItemValue(item!)).ToArray();
}

internal sealed record SortKey(SortField Field, bool Descending);

internal sealed record SortField(string Name, LambdaExpression EntityKey, Func<object, object?> ItemValue, Type KeyType)
{
    public static SortField Create<TEntity, TItem, TKey>(string name, Expression<Func<TEntity, TKey>> entityKey, Func<TItem, TKey> itemKey) =>
        new(name, entityKey, item => itemKey((TItem)item), typeof(TKey));
}
