using System.Text.Json.Serialization;

namespace Crm.SharedKernel.Paging;

/// <summary>One page of a keyset-paginated list.</summary>
/// <param name="Items">The rows of this page, in the requested order.</param>
/// <param name="NextCursor">Opaque cursor for the next page; <c>null</c> on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    /// <summary>Total number of matching rows; present only when <c>includeTotal=true</c> was asked for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Total { get; init; }
}

/// <summary>The paging part of a list request: <c>?limit=&amp;cursor=&amp;includeTotal=</c>.</summary>
public sealed record PageRequest(int? Limit = null, string? Cursor = null, bool IncludeTotal = false)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The limit to use, validated: 400 with a <c>limit</c> field error when outside 1..500.</summary>
    public int EffectiveLimit => Limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => Limit.Value,
        _ => throw Errors.ValidationFailedException.For("limit", $"limit must be between 1 and {MaxLimit}."),
    };
}
