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
/// and records the job's progress, rejected rows and claimed keys (ADR 0044) inside each chunk's transaction (so a crash leaves the job
/// exactly at its last committed chunk, and a resumed job skips exactly the rows already committed). A target that
/// assembles groups gets its chunks from the job's staging table once the file is read, each group whole, and each
/// chunk deletes its staged rows as it commits, so a job resumed then goes on with the groups not yet written.
/// </summary>
internal sealed class ImportRunner(
    IntegrationDbContext db, NpgsqlDataSource dataSource, IEnumerable<IImportTarget> targets, IOptions<ImportOptions> options, TimeProvider time)
{
    /// <summary>The longest group key staged (it is part of the staging table's primary key); a longer one is a row error.</summary>
    private const int MaxGroupKeyLength = 500;

    public IImportTarget Target(string entity) =>
        targets.FirstOrDefault(t => string.Equals(t.Entity, entity, StringComparison.OrdinalIgnoreCase)) ?? throw IntegrationProblems.UnknownEntity(entity);

    /// <summary>
    /// Runs the job to its end (or its cancellation) and returns its report with the first rejected rows. A background job
    /// passes <paramref name="checkCaller"/>: it runs before every chunk, and a problem it throws stops the job as failed
    /// with the problem's message, keeping the chunks committed before. When the target assembles groups
    /// (<see cref="IImportTarget.GroupField"/>), the chunks read from the file are staged and the groups written once the
    /// file is read (ADR 0043).
    /// </summary>
    public async Task<ImportReport> RunAsync(Guid jobId, ImportFileReader reader, CancellationToken ct, ImportCallerCheck? checkCaller = null)
    {
        var job = await db.ImportJobs.SingleAsync(j => j.Id == jobId, ct);
        var target = Target(job.Entity);
        var settings = job.Settings();
        var chunkSize = Math.Max(1, options.Value.ChunkSize);
        var maxErrors = options.Value.MaxReportErrors;
        var reported = new List<ImportErrorResponse>();
        var skip = job.RowsProcessed;
        var jobKeys = new ImportJobKeys(dataSource, job.Id, resumed: skip > 0);

        var rows = new List<ImportRow>(chunkSize);
        var readErrors = new List<ImportRowError>();
        long read = 0;
        var lastRow = 0;
        var status = ImportJobStatus.Succeeded;
        var stopped = false;
        string? failure = null;
        try
        {
            await foreach (var item in reader.ReadAsync(ct))
            {
                if (++read <= skip)
                {
                    continue;
                }

                if (rows.Count + readErrors.Count >= chunkSize && await FlushAsync() is { } stop)
                {
                    (status, stopped) = (stop, true);
                    break;
                }

                lastRow = item.Row.Row;
                if (item.Error is { } error)
                {
                    readErrors.Add(new ImportRowError(item.Row.Row, null, error));
                }
                else if (target.GroupField is { } field && GroupKey(item.Row, field) is not { Length: <= MaxGroupKeyLength })
                {
                    readErrors.Add(new ImportRowError(item.Row.Row, field, GroupKey(item.Row, field) is null
                        ? $"{field} is required on every row: the rows that share it are imported together."
                        : $"{field} is longer than {MaxGroupKeyLength} characters."));
                }
                else
                {
                    rows.Add(item.Row);
                }
            }

            if (!stopped && rows.Count + readErrors.Count > 0 && await FlushAsync() is { } last)
            {
                (status, stopped) = (last, true);
            }
        }
        catch (JsonException ex)
        {
            // The file itself is broken past this point: the rows before it are still imported and reported.
            status = ImportJobStatus.Failed;
            var broken = $"The file is not valid JSON after row {lastRow}: {ex.Message}";
            if (rows.Count + readErrors.Count > 0 && await FlushAsync() is not null)
            {
                stopped = true;
            }

            failure ??= broken;
        }

        if (target.GroupField is { } grouped)
        {
            if (!stopped && await AssembleAsync(grouped) is { } end)
            {
                status = end;
            }

            // What a cancelled or stopped job staged and did not write.
            await db.ImportStagedRows.Where(r => r.JobId == job.Id).ExecuteDeleteAsync(CancellationToken.None);
        }

        // The job has ended: its claims are of no more use (one statement; see ADR 0044 for what it costs).
        await db.ImportKeyClaims.Where(c => c.JobId == job.Id).ExecuteDeleteAsync(CancellationToken.None);
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
        return ImportReport.From(job, reported.OrderBy(e => e.Row).ToList(), reported.Count < job.Rejected);

        // The buffered rows as one chunk (staged when the target assembles groups); returns the status the job stops with
        // (a cancel, or a caller who may no longer run it), or null.
        async Task<ImportJobStatus?> FlushAsync()
        {
            var processed = rows.Count + readErrors.Count;
            var stop = await CheckCallerAsync()
                ?? (target.GroupField is { } field && rows.Count > 0 ? await StageAsync(field, processed) : await WriteAsync(rows, processed, null));
            rows.Clear();
            readErrors.Clear();
            return stop;
        }

        async Task<ImportJobStatus?> CheckCallerAsync()
        {
            if (checkCaller is null)
            {
                return null;
            }

            try
            {
                await checkCaller(ct);
                return null;
            }
            catch (ProblemException ex)
            {
                failure = ex.Message;
                return ImportJobStatus.Failed;
            }
        }

        // Hands the target one chunk; groups names the staged groups it holds, deleted with the chunk's progress.
        async Task<ImportJobStatus?> WriteAsync(List<ImportRow> chunkRows, int processed, string[]? groups)
        {
            var cancelRequested = false;
            ImportChunkResult result;
            var keys = jobKeys.ForChunk();
            if (chunkRows.Count > 0)
            {
                result = await target.ImportChunkAsync(
                    new ImportChunk(chunkRows.ToList(), settings, keys),
                    async (connection, chunkResult, token) =>
                    {
                        await keys.SaveAsync((NpgsqlConnection)connection, token);
                        cancelRequested = await RecordAsync(connection, job.Id, processed, With(chunkResult, readErrors), reader, groups, token);
                    },
                    ct);
                result = With(result, readErrors);
            }
            else
            {
                result = new ImportChunkResult(0, 0, 0, readErrors.ToList());
            }

            if (settings.DryRun || chunkRows.Count == 0)
            {
                // A dry run's chunk rolled back its rows, not its claims: they are saved with its progress, so later chunks
                // (and the job resumed after a restart) still find the file's duplicates.
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await keys.SaveAsync(connection, ct);
                cancelRequested = await RecordAsync(connection, job.Id, processed, result, reader, groups, ct);
                await transaction.CommitAsync(ct);
            }

            Report(result.Errors);
            return cancelRequested ? ImportJobStatus.Cancelled : null;
        }

        // The chunk's rows COPYed to the job's staging table, committed with the job's progress (so a resumed job skips them).
        async Task<ImportJobStatus?> StageAsync(string field, int processed)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY integration.import_staged_rows (job_id, \"row\", group_key, \"values\") FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var row in rows)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(job.Id, NpgsqlDbType.Uuid, ct);
                    await copy.WriteAsync(row.Row, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(GroupKey(row, field)!, NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(JsonSerializer.Serialize(row.Values), NpgsqlDbType.Jsonb, ct);
                }

                await copy.CompleteAsync(ct);
            }

            var cancelRequested = await RecordAsync(connection, job.Id, processed, new ImportChunkResult(0, 0, 0, readErrors.ToList()), reader, null, ct);
            await transaction.CommitAsync(ct);
            Report(readErrors);
            return cancelRequested ? ImportJobStatus.Cancelled : null;
        }

        // The staged groups, each whole, in the order of their first rows, about a chunk of rows at a time. A group larger
        // than two chunks (a malformed file) is rejected in SQL instead of being read into memory.
        async Task<ImportJobStatus?> AssembleAsync(string field)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var command = new NpgsqlCommand(
                """
                SELECT group_key, count(*)::int FROM integration.import_staged_rows WHERE job_id = @job GROUP BY group_key ORDER BY min("row")
                """, connection);
            command.Parameters.AddWithValue("job", job.Id);
            await using var staged = await command.ExecuteReaderAsync(ct);
            var batch = new List<string>();
            var batchRows = 0;
            while (await staged.ReadAsync(ct))
            {
                var (key, count) = (staged.GetString(0), staged.GetInt32(1));
                if (batch.Count > 0 && batchRows + count > chunkSize && await WriteGroupsAsync() is { } stop)
                {
                    return stop;
                }

                if (count > 2 * chunkSize)
                {
                    await RejectGroupAsync(field, key, count, 2 * chunkSize);
                    continue;
                }

                batch.Add(key);
                batchRows += count;
            }

            return batch.Count > 0 ? await WriteGroupsAsync() : null;

            async Task<ImportJobStatus?> WriteGroupsAsync()
            {
                var groups = batch.ToArray();
                (batchRows, batch) = (0, []);
                if (await CheckCallerAsync() is { } stop)
                {
                    return stop;
                }

                var chunkRows = new List<ImportRow>();
                await using (var load = await dataSource.OpenConnectionAsync(ct))
                await using (var select = new NpgsqlCommand(
                    """
                    SELECT "row", "values"::text FROM integration.import_staged_rows WHERE job_id = @job AND group_key = ANY(@groups) ORDER BY "row"
                    """, load))
                {
                    select.Parameters.AddWithValue("job", job.Id);
                    select.Parameters.AddWithValue("groups", groups);
                    await using var found = await select.ExecuteReaderAsync(ct);
                    while (await found.ReadAsync(ct))
                    {
                        chunkRows.Add(new ImportRow(found.GetInt32(0), JsonSerializer.Deserialize<Dictionary<string, string?>>(found.GetString(1))!));
                    }
                }

                return await WriteAsync(chunkRows, 0, groups);
            }
        }

        // Every row of an oversized group becomes an error, set-based; the report lists the first ones.
        async Task RejectGroupAsync(string field, string key, int count, int largest)
        {
            var header = ColumnOf(reader, field);
            var column = header is { Length: > 200 } ? header[..200] : header;
            var message = $"{column} '{key}' is on {count} rows, more than the {largest} one group may have: none of them is imported.";
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using (var first = new NpgsqlCommand(
                """
                SELECT "row" FROM integration.import_staged_rows WHERE job_id = @job AND group_key = @key ORDER BY "row" LIMIT @limit
                """, connection))
            {
                first.Parameters.AddWithValue("job", job.Id);
                first.Parameters.AddWithValue("key", key);
                first.Parameters.AddWithValue("limit", Math.Max(0, maxErrors - reported.Count));
                await using var found = await first.ExecuteReaderAsync(ct);
                while (await found.ReadAsync(ct))
                {
                    reported.Add(new ImportErrorResponse(found.GetInt32(0), column, message));
                }
            }

            await using (var reject = new NpgsqlCommand(
                """
                WITH gone AS (DELETE FROM integration.import_staged_rows WHERE job_id = @job AND group_key = @key RETURNING "row")
                INSERT INTO integration.import_errors (job_id, "row", column_name, message) SELECT @job, "row", @column, @message FROM gone ORDER BY "row";
                UPDATE integration.import_jobs SET rejected = rejected + @count, heartbeat_at = @now WHERE id = @job;
                """, connection))
            {
                reject.Parameters.AddWithValue("job", job.Id);
                reject.Parameters.AddWithValue("key", key);
                reject.Parameters.AddWithValue("column", (object?)column ?? DBNull.Value);
                reject.Parameters.AddWithValue("message", message.Length > 1000 ? message[..1000] : message);
                reject.Parameters.AddWithValue("count", (long)count);
                reject.Parameters.AddWithValue("now", time.UtcNow());
                await reject.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        void Report(IEnumerable<ImportRowError> errors)
        {
            foreach (var error in errors.OrderBy(e => e.Row).Take(Math.Max(0, maxErrors - reported.Count)))
            {
                reported.Add(new ImportErrorResponse(error.Row, ColumnOf(reader, error.Column), error.Message));
            }
        }
    }

    private static string? GroupKey(ImportRow row, string field) => row[field]?.Trim() is { Length: > 0 } key ? key : null;

    private static ImportChunkResult With(ImportChunkResult result, List<ImportRowError> readErrors) =>
        readErrors.Count == 0 ? result : result with { Errors = result.Errors.Concat(readErrors).ToList() };

    private static string? ColumnOf(ImportFileReader reader, string? field) =>
        field is not null && reader.ColumnNames.TryGetValue(field, out var header) ? header : field;

    /// <summary>
    /// Adds the chunk's counts to the job, COPYs its rejected rows and deletes the staged rows of the groups it wrote;
    /// returns whether a cancel was requested.
    /// </summary>
    private async Task<bool> RecordAsync(
        DbConnection connection, Guid jobId, int processed, ImportChunkResult result, ImportFileReader reader, string[]? groups, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        if (groups is not null)
        {
            await using var delete = new NpgsqlCommand("DELETE FROM integration.import_staged_rows WHERE job_id = @id AND group_key = ANY(@groups)", npgsql);
            delete.Parameters.AddWithValue("id", jobId);
            delete.Parameters.AddWithValue("groups", groups);
            await delete.ExecuteNonQueryAsync(ct);
        }

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
