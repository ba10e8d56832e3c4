using System.Data.Common;
using System.Text.Json;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Integration.Data;
using Crm.Modules.Integration.Domain;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>
/// Runs one job: reads the file row by row, hands the target chunks of <see cref="ImportOptions.ChunkSize"/> rows,
/// and records the job's progress and rejected rows inside each chunk's transaction (so a crash leaves the job
/// exactly at its last committed chunk, and a resumed job skips exactly the rows already committed).
/// </summary>
internal sealed class ImportRunner(
    IntegrationDbContext db, NpgsqlDataSource dataSource, IEnumerable<IImportTarget> targets, IOptions<ImportOptions> options, TimeProvider time)
{
    public IImportTarget Target(string entity) =>
        targets.FirstOrDefault(t => string.Equals(t.Entity, entity, StringComparison.OrdinalIgnoreCase)) ?? throw IntegrationProblems.UnknownEntity(entity);

    /// <summary>
    /// Runs the job to its end (or its cancellation) and returns its report with the first rejected rows. A background job
    /// passes <paramref name="checkCaller"/>: it runs before every chunk, and a problem it throws stops the job as failed
    /// with the problem's message, keeping the chunks committed before.
    /// </summary>
    public async Task<ImportReport> RunAsync(Guid jobId, ImportFileReader reader, CancellationToken ct, ImportCallerCheck? checkCaller = null)
    {
        var job = await db.ImportJobs.SingleAsync(j => j.Id == jobId, ct);
        var target = Target(job.Entity);
        var settings = job.Settings();
        var keys = new ImportKeyRegistry();
        var chunkSize = Math.Max(1, options.Value.ChunkSize);
        var maxErrors = options.Value.MaxReportErrors;
        var reported = new List<ImportErrorResponse>();
        var skip = job.RowsProcessed;

        var rows = new List<ImportRow>(chunkSize);
        var readErrors = new List<ImportRowError>();
        long read = 0;
        var lastRow = 0;
        var status = ImportJobStatus.Succeeded;
        string? failure = null;
        try
        {
            await foreach (var item in reader.ReadAsync(ct))
            {
                if (++read <= skip)
                {
                    continue;
                }

                // A full chunk is written before the next row is read in, unless that row continues the group of the last one.
                if (rows.Count + readErrors.Count >= chunkSize && !ContinuesGroup(item) && await FlushAsync() is { } stopped)
                {
                    status = stopped;
                    break;
                }

                lastRow = item.Row.Row;
                if (item.Error is { } error)
                {
                    readErrors.Add(new ImportRowError(item.Row.Row, null, error));
                }
                else
                {
                    rows.Add(item.Row);
                }
            }

            if (status == ImportJobStatus.Succeeded && rows.Count + readErrors.Count > 0 && await FlushAsync() is { } ended)
            {
                status = ended;
            }
        }
        catch (JsonException ex)
        {
            // The file itself is broken past this point: the rows before it are still imported and reported.
            status = ImportJobStatus.Failed;
            var broken = $"The file is not valid JSON after row {lastRow}: {ex.Message}";
            if (rows.Count + readErrors.Count > 0)
            {
                await FlushAsync();
            }

            failure ??= broken;
        }

        await db.Entry(job).ReloadAsync(CancellationToken.None);
        job.Finish(status, failure, time.UtcNow());
        db.AddAuditSummary<ImportAudit>(AuditAction.Created, (int)Math.Min(int.MaxValue, Math.Max(1, job.RowsProcessed)), new Dictionary<string, object?>
        {
            ["jobId"] = job.Id,
            ["entity"] = job.Entity,
            ["fileName"] = job.FileName,
            ["mode"] = job.Mode.ToString(),
            ["matchOn"] = job.MatchOn,
            ["dryRun"] = job.DryRun,
            ["options"] = settings.Options,
            ["status"] = job.Status.ToString(),
            ["created"] = job.Created,
            ["updated"] = job.Updated,
            ["unchanged"] = job.Unchanged,
            ["rejected"] = job.Rejected,
            ["error"] = job.Error,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        return ImportReport.From(job, reported, reported.Count < job.Rejected);

        bool ContinuesGroup(ReadRow item) =>
            target.GroupField is { } field && item.Error is null && rows.Count > 0 && rows.Count + readErrors.Count < 2 * chunkSize
            && item.Row[field]?.Trim() is { Length: > 0 } key && string.Equals(key, rows[^1][field]?.Trim(), StringComparison.Ordinal);

        // Writes the buffered rows as one chunk; returns the status the job stops with (a cancel, or a caller who may no longer run it), or null.
        async Task<ImportJobStatus?> FlushAsync()
        {
            if (checkCaller is not null)
            {
                try
                {
                    await checkCaller(ct);
                }
                catch (ProblemException ex)
                {
                    failure = ex.Message;
                    return ImportJobStatus.Failed;
                }
            }

            var processed = rows.Count + readErrors.Count;
            var cancelRequested = false;
            ImportChunkResult result;
            if (rows.Count > 0)
            {
                result = await target.ImportChunkAsync(
                    new ImportChunk(rows.ToList(), settings, keys),
                    async (connection, chunkResult, token) => cancelRequested = await RecordAsync(connection, job.Id, processed, With(chunkResult, readErrors), reader, token),
                    ct);
                result = With(result, readErrors);
            }
            else
            {
                result = new ImportChunkResult(0, 0, 0, readErrors.ToList());
            }

            if (settings.DryRun || rows.Count == 0)
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                cancelRequested = await RecordAsync(connection, job.Id, processed, result, reader, ct);
            }

            foreach (var error in result.Errors.OrderBy(e => e.Row).Take(Math.Max(0, maxErrors - reported.Count)))
            {
                reported.Add(new ImportErrorResponse(error.Row, ColumnOf(reader, error.Column), error.Message));
            }

            rows.Clear();
            readErrors.Clear();
            return cancelRequested ? ImportJobStatus.Cancelled : null;
        }
    }

    private static ImportChunkResult With(ImportChunkResult result, List<ImportRowError> readErrors) =>
        readErrors.Count == 0 ? result : result with { Errors = result.Errors.Concat(readErrors).ToList() };

    private static string? ColumnOf(ImportFileReader reader, string? field) =>
        field is not null && reader.ColumnNames.TryGetValue(field, out var header) ? header : field;

    /// <summary>Adds the chunk's counts to the job and COPYs its rejected rows; returns whether a cancel was requested.</summary>
    private async Task<bool> RecordAsync(DbConnection connection, Guid jobId, int processed, ImportChunkResult result, ImportFileReader reader, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        await using (var update = new NpgsqlCommand(
            """
            UPDATE integration.import_jobs
               SET rows_processed = rows_processed + @processed, created = created + @created, updated = updated + @updated,
                   unchanged = unchanged + @unchanged, rejected = rejected + @rejected, heartbeat_at = @now
             WHERE id = @id
            RETURNING cancel_requested
            """, npgsql))
        {
            update.Parameters.AddWithValue("processed", (long)processed);
            update.Parameters.AddWithValue("created", (long)result.Created);
            update.Parameters.AddWithValue("updated", (long)result.Updated);
            update.Parameters.AddWithValue("unchanged", (long)result.Unchanged);
            update.Parameters.AddWithValue("rejected", (long)result.Rejected);
            update.Parameters.AddWithValue("now", time.UtcNow());
            update.Parameters.AddWithValue("id", jobId);
            var cancel = (bool)(await update.ExecuteScalarAsync(ct))!;
            if (result.Errors.Count == 0)
            {
                return cancel;
            }

            await using var copy = await npgsql.BeginBinaryImportAsync(
                "COPY integration.import_errors (job_id, \"row\", column_name, message) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var error in result.Errors.OrderBy(e => e.Row))
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(jobId, NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(error.Row, NpgsqlDbType.Integer, ct);
                if (ColumnOf(reader, error.Column) is { } column)
                {
                    await copy.WriteAsync(column.Length > 200 ? column[..200] : column, NpgsqlDbType.Varchar, ct);
                }
                else
                {
                    await copy.WriteNullAsync(ct);
                }

                await copy.WriteAsync(error.Message.Length > 1000 ? error.Message[..1000] : error.Message, NpgsqlDbType.Varchar, ct);
            }

            await copy.CompleteAsync(ct);
            return cancel;
        }
    }
}

/// <summary>
/// Checks, before a chunk is written, that the job's caller may still run it; throws a <see cref="ProblemException"/>
/// saying why not.
/// </summary>
internal delegate Task ImportCallerCheck(CancellationToken ct);

/// <summary>
/// The job-wide set of unique keys: 64-bit FNV-1a hashes with the row that claimed them, so a million keys cost
/// tens of megabytes, not the keys themselves (a false duplicate needs a 64-bit collision).
/// </summary>
internal sealed class ImportKeyRegistry : IImportKeyRegistry
{
    private readonly Dictionary<ulong, int> _claimed = [];

    public bool TryClaim(string key, int row, out int firstRow)
    {
        var hash = Hash(key);
        if (_claimed.TryGetValue(hash, out firstRow))
        {
            return false;
        }

        _claimed[hash] = row;
        firstRow = row;
        return true;
    }

    private static ulong Hash(string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
