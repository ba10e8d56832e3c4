using Crm.Modules.Integration.Contracts;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features;

/// <summary>
/// The loop of every sales export: the rows in keyset batches by id (never the whole set in memory), each batch's
/// lookups (owners' emails, partners' names) resolved once, written and flushed before the next batch is read.
/// </summary>
internal static class KeysetExport
{
    public const int BatchSize = 1000;

    /// <param name="writer">The open export.</param>
    /// <param name="after">The rows after an id, ordered by id (<c>id =&gt; query.Where(x =&gt; x.Id &gt; id).OrderBy(x =&gt; x.Id)</c>).</param>
    /// <param name="idOf">A row's id.</param>
    /// <param name="cellsOf">Resolves a batch's lookups and returns how a row of it becomes its cells, in column order.</param>
    /// <param name="ct">Cancellation (the client going away).</param>
    public static Task WriteAsync<T>(
        ExportWriter writer,
        Func<Guid, IQueryable<T>> after,
        Func<T, Guid> idOf,
        Func<IReadOnlyList<T>, CancellationToken, Task<Func<T, IReadOnlyList<object?>>>> cellsOf,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cellsOf);
        return WriteRowsAsync(writer, after, idOf, async (batch, token) =>
        {
            var cells = await cellsOf(batch, token);
            return row => [cells(row)];
        }, ct);
    }

    /// <summary>As <see cref="WriteAsync{T}"/>, for records written as several rows each (an order as one row per line).</summary>
    /// <param name="writer">The open export.</param>
    /// <param name="after">The records after an id, ordered by id.</param>
    /// <param name="idOf">A record's id.</param>
    /// <param name="rowsOf">Resolves a batch's lookups and returns how a record of it becomes its rows of cells, in column order.</param>
    /// <param name="ct">Cancellation (the client going away).</param>
    public static async Task WriteRowsAsync<T>(
        ExportWriter writer,
        Func<Guid, IQueryable<T>> after,
        Func<T, Guid> idOf,
        Func<IReadOnlyList<T>, CancellationToken, Task<Func<T, IEnumerable<IReadOnlyList<object?>>>>> rowsOf,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(idOf);
        ArgumentNullException.ThrowIfNull(rowsOf);
        await writer.WriteHeaderAsync(ct);
        var last = Guid.Empty;
        while (true)
        {
            var batch = await after(last).Take(BatchSize).ToListAsync(ct);
            var rows = await rowsOf(batch, ct);
            foreach (var cells in batch.SelectMany(rows))
            {
                await writer.WriteRowAsync(cells, ct);
            }

            await writer.FlushAsync(ct);
            if (batch.Count < BatchSize)
            {
                return;
            }

            last = idOf(batch[^1]);
        }
    }
}
