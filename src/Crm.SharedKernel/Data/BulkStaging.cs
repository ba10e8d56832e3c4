using Npgsql;
using NpgsqlTypes;

namespace Crm.SharedKernel.Data;

/// <summary>
/// One column an import writes: its name, its type for binary COPY, how to read it from the entity, and whether an
/// update of an existing row sets it. Adding a column to an import is adding one of these.
/// </summary>
public sealed record StagedColumn<T>(string Name, NpgsqlDbType Type, Func<T, object?> Value, bool Updatable = true);

/// <summary>
/// Binary COPY of a chunk's rows into a temporary staging table shaped like the target table (dropped at the end of
/// the chunk's transaction), then set-based statements from it: no round trip per row.
/// </summary>
public static class BulkStaging
{
    public static async Task CopyAsync<T>(
        NpgsqlConnection connection, string staging, string table, IReadOnlyList<StagedColumn<T>> columns, IEnumerable<T> rows, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        // CREATE TABLE AS copies the column types but none of the constraints or defaults (the code sequence is not touched).
        await using (var create = new NpgsqlCommand($"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA", connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await CopyIntoAsync(connection, staging, columns, rows, ct);
    }

    /// <summary>
    /// Binary COPY of the rows straight into <paramref name="table"/> (columns not listed get their defaults); for rows
    /// known to be new, where a staging table would only add a second copy. A unique violation fails the whole COPY.
    /// </summary>
    public static async Task CopyIntoAsync<T>(
        NpgsqlConnection connection, string table, IReadOnlyList<StagedColumn<T>> columns, IEnumerable<T> rows, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(ct);
            foreach (var column in columns)
            {
                if (column.Value(row) is { } value)
                {
                    await copy.WriteAsync(value, column.Type, ct);
                }
                else
                {
                    await copy.WriteNullAsync(ct);
                }
            }
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary><c>UPDATE table t SET col = s.col, ... FROM staging s WHERE t.id = s.id AND filter</c>; the updated ids.</summary>
    public static async Task<HashSet<Guid>> UpdateFromAsync<T>(
        NpgsqlConnection connection, string staging, string table, IReadOnlyList<StagedColumn<T>> columns, string filter, CancellationToken ct)
    {
        var set = string.Join(", ", columns.Where(c => c.Updatable).Select(c => $"{c.Name} = s.{c.Name}"));
        await using var update = new NpgsqlCommand($"UPDATE {table} t SET {set} FROM {staging} s WHERE t.id = s.id AND {filter} RETURNING t.id", connection);
        return await ReadIdsAsync(update, ct);
    }

    /// <summary><c>INSERT INTO table SELECT ... FROM staging</c> for the staged rows whose id the table does not hold yet.</summary>
    public static async Task<int> InsertNewAsync<T>(
        NpgsqlConnection connection, string staging, string table, IReadOnlyList<StagedColumn<T>> columns, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = s.id)", connection);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// As <see cref="InsertNewAsync{T}"/>, but a staged row that collides with any unique key of the table (a natural key another
    /// transaction inserted at the same time: the statement waits for it, then skips the row) is left out instead of failing
    /// the statement: <c>ON CONFLICT DO NOTHING RETURNING id</c>. Returns the ids inserted; the staged ids missing from it lost.
    /// </summary>
    public static async Task<HashSet<Guid>> InsertNewSkippingConflictsAsync<T>(
        NpgsqlConnection connection, string staging, string table, IReadOnlyList<StagedColumn<T>> columns, CancellationToken ct)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} s WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = s.id) "
            + "ON CONFLICT DO NOTHING RETURNING id", connection);
        return await ReadIdsAsync(insert, ct);
    }

    public static async Task<HashSet<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var ids = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
