using System.Buffers.Text;
using System.Text.Json;
using Crm.SharedKernel.Errors;

namespace Crm.SharedKernel.Paging;

/// <summary>
/// Encodes the sort key values of the last row of a page as an opaque, URL-safe cursor. The cursor
/// carries the sort signature, so a cursor issued for one order is refused for another.
/// </summary>
internal static class CursorCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Encode<TEntity, TItem>(SortOrder<TEntity, TItem> order, object?[] values)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new CursorPayload(order.Signature, values), Options);
        return Base64Url.EncodeToString(payload);
    }

    public static object?[] Decode<TEntity, TItem>(SortOrder<TEntity, TItem> order, string cursor)
    {
        CursorPayload<JsonElement>? payload;
        try
        {
            payload = JsonSerializer.Deserialize<CursorPayload<JsonElement>>(Base64Url.DecodeFromChars(cursor), Options);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw Invalid("The cursor is malformed; pass back the nextCursor of a previous page unchanged.");
        }

        if (payload is null || payload.K is null || payload.K.Length != order.Keys.Count)
        {
            throw Invalid("The cursor is malformed; pass back the nextCursor of a previous page unchanged.");
        }

        if (!string.Equals(payload.O, order.Signature, StringComparison.Ordinal))
        {
            throw Invalid("The cursor was issued for a different sort order; keep the same sort while paging.");
        }

        var values = new object?[payload.K.Length];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                values[i] = payload.K[i].Deserialize(order.Keys[i].Field.KeyType, Options)
                    ?? throw Invalid("The cursor is malformed; pass back the nextCursor of a previous page unchanged.");
            }
            catch (JsonException)
            {
                throw Invalid("The cursor is malformed; pass back the nextCursor of a previous page unchanged.");
            }
        }

        return values;
    }

    private static ValidationFailedException Invalid(string message) => ValidationFailedException.For("cursor", message);

    private sealed record CursorPayload(string O, object?[] K);

    private sealed record CursorPayload<T>(string O, T[] K);
}
