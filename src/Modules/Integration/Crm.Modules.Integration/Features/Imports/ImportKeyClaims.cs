using Crm.Modules.Integration.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>
/// The job's claimed keys (ADR 0044): they live in <c>integration.import_key_claims</c> as 64-bit FNV-1a hashes with the row
/// that claimed them (a false duplicate needs a 64-bit collision). The job holds only a fixed-size filter of them, so memory
/// does not grow with the file, and hands each chunk an <see cref="ImportKeyClaims"/>.
/// </summary>
internal sealed class ImportJobKeys(NpgsqlDataSource dataSource, Guid jobId, bool resumed)
{
    private static readonly IReadOnlyDictionary<long, int> None = new Dictionary<long, int>();
    private ImportKeyFilter? _filter;

    // Whether an earlier chunk may have claimed keys: not before the first chunk of a job that starts from its first row.
    private bool _claimed = resumed;

    public Guid JobId => jobId;

    public ImportKeyClaims ForChunk() => new(this);

    /// <summary>
    /// Which of <paramref name="hashes"/> earlier chunks claimed, and by which row: those the filter may hold, looked up in
    /// one query (one index probe per key through the join, whatever the table's statistics say while a job fills it).
    /// </summary>
    public async Task<IReadOnlyDictionary<long, int>> FindAsync(long[] hashes, CancellationToken ct)
    {
        if (!_claimed || hashes.Length == 0)
        {
            return None;
        }

        _filter ??= await LoadFilterAsync(ct);
        var candidates = hashes.Where(_filter.MayContain).ToArray();
        if (candidates.Length == 0)
        {
            return None;
        }

        var found = new Dictionary<long, int>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            """
            SELECT c.key_hash, c."row" FROM unnest(@hashes) AS k(key_hash)
            JOIN integration.import_key_claims c ON c.job_id = @job AND c.key_hash = k.key_hash
            """, connection);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.Add(new NpgsqlParameter<long[]>("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = candidates });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found.TryAdd(reader.GetInt64(0), reader.GetInt32(1));
        }

        return found;
    }

    /// <summary>Notes a chunk's claims as saved (a claim whose chunk then fails stays in the filter: a lookup too many, no more).</summary>
    public void Saved(IEnumerable<long> hashes)
    {
        foreach (var hash in hashes)
        {
            _claimed = true;
            _filter?.Add(hash);
        }
    }

    // The filter of the claims committed so far, built once the job first needs it: one streaming query.
    private async Task<ImportKeyFilter> LoadFilterAsync(CancellationToken ct)
    {
        var filter = new ImportKeyFilter();
        await using var command = dataSource.CreateCommand("SELECT key_hash FROM integration.import_key_claims WHERE job_id = $1");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = jobId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            filter.Add(reader.GetInt64(0));
        }

        return filter;
    }
}

/// <summary>
/// A fixed-size bit set of key hashes (2^27 bits, 16 MB, whatever the file's length): a key whose bit is clear was claimed
/// by no earlier chunk and is not looked up. False positives only cost a lookup: about 6 % of the keys at 8 million claims
/// (2 million customers), 18 % at 27 million (a 1 GB file).
/// </summary>
internal sealed class ImportKeyFilter
{
    private const int Bits = 27;
    private readonly ulong[] _words = new ulong[1 << (Bits - 6)];

    public void Add(long hash)
    {
        var bit = Bit(hash);
        _words[bit >> 6] |= 1UL << (int)(bit & 63);
    }

    public bool MayContain(long hash)
    {
        var bit = Bit(hash);
        return (_words[bit >> 6] & (1UL << (int)(bit & 63))) != 0;
    }

    // The high bits after a Fibonacci multiply: they depend on every bit of the hash.
    private static ulong Bit(long hash) => unchecked((ulong)hash * 0x9E3779B97F4A7C15UL) >> (64 - Bits);
}

/// <summary>
/// The key registry of one chunk: it holds only the claims its own keys found among the job's and those it makes, and
/// saves the new ones by <see cref="SaveAsync"/> in the transaction that commits the chunk's progress.
/// </summary>
internal sealed class ImportKeyClaims(ImportJobKeys job) : IImportKeyRegistry
{
    private readonly HashSet<long> _prefetched = [];
    private readonly Dictionary<long, int> _claimed = [];
    private readonly List<(long Hash, int Row)> _added = [];

    public async Task PrefetchAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var hashes = keys.Select(Hash).Where(_prefetched.Add).ToArray();
        foreach (var (hash, row) in await job.FindAsync(hashes, ct))
        {
            _claimed.TryAdd(hash, row);
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
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY integration.import_key_claims (job_id, key_hash, \"row\") FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (hash, row) in _added)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(job.JobId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(hash, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row, NpgsqlDbType.Integer, ct);
            }

            await copy.CompleteAsync(ct);
        }

        job.Saved(_added.Select(a => a.Hash));
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
