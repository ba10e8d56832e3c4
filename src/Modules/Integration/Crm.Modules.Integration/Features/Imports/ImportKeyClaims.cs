using Crm.Modules.Integration.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>
/// The key registry of one chunk (ADR 0044). The job's claims live in <c>integration.import_key_claims</c> as 64-bit FNV-1a
/// hashes with the row that claimed them (a false duplicate needs a 64-bit collision); the chunk holds only the claims its
/// own keys found there and those it makes, so memory is per chunk however long the file is. The new claims are saved by
/// <see cref="SaveAsync"/> in the transaction that commits the chunk's progress.
/// </summary>
internal sealed class ImportKeyClaims(NpgsqlDataSource dataSource, Guid jobId) : IImportKeyRegistry
{
    private readonly HashSet<long> _prefetched = [];
    private readonly Dictionary<long, int> _claimed = [];
    private readonly List<(long Hash, int Row)> _added = [];

    public async Task PrefetchAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var hashes = keys.Select(Hash).Where(_prefetched.Add).ToArray();
        if (hashes.Length == 0)
        {
            return;
        }

        // One index probe per key through the join (planned as a nested loop, whatever the table's statistics say while a
        // job fills it).
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT c.key_hash, c."row" FROM unnest(@hashes) AS k(key_hash)
            JOIN integration.import_key_claims c ON c.job_id = @job AND c.key_hash = k.key_hash
            """, connection);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.Add(new NpgsqlParameter<long[]>("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = hashes });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            _claimed.TryAdd(reader.GetInt64(0), reader.GetInt32(1));
        }
    }

    public bool TryClaim(string key, int row, out int firstRow)
    {
        var hash = Hash(key);
        if (!_prefetched.Contains(hash))
        {
            throw new InvalidOperationException($"The import key '{key}' was claimed without being prefetched: call PrefetchAsync with every key of the chunk first.");
        }

        if (_claimed.TryGetValue(hash, out firstRow))
        {
            return false;
        }

        _claimed[hash] = row;
        _added.Add((hash, row));
        firstRow = row;
        return true;
    }

    /// <summary>The chunk's new claims by one binary COPY, on the connection (and in the transaction) that commits the chunk.</summary>
    public async Task SaveAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (_added.Count == 0)
        {
            return;
        }

        // In key order: the inserts walk the primary key's pages once each instead of jumping about.
        _added.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY integration.import_key_claims (job_id, key_hash, \"row\") FROM STDIN (FORMAT BINARY)", ct);
        foreach (var (hash, row) in _added)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(jobId, NpgsqlDbType.Uuid, ct);
            await copy.WriteAsync(hash, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(row, NpgsqlDbType.Integer, ct);
        }

        await copy.CompleteAsync(ct);
        _added.Clear();
    }

    private static long Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return unchecked((long)hash);
    }
}
