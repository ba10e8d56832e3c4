using System.Text.Json;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Audit;

namespace Crm.Modules.Integration.Domain;

/// <summary>Where an import job stands.</summary>
internal enum ImportJobStatus
{
    /// <summary>Spooled and waiting for the background worker.</summary>
    Queued,

    Running,

    /// <summary>Every row was read; rejected rows are in the errors.</summary>
    Succeeded,

    /// <summary>Stopped by a problem with the file itself (malformed after some rows) or an interruption it cannot resume from.</summary>
    Failed,

    Cancelled,
}

/// <summary>
/// One import of one file. Progress (rows processed, counts, the last committed row) is written by the chunk
/// that made it, in that chunk's transaction, so after a crash the job resumes right after the last committed chunk.
/// The job runs as its caller: the claims are kept so the background worker applies the same visibility and audit actor.
/// </summary>
internal sealed class ImportJob
{
    private ImportJob()
    {
    }

    public Guid Id { get; private set; }

    public string Entity { get; private set; } = string.Empty;

    public ImportMode Mode { get; private set; }

    public string MatchOn { get; private set; } = string.Empty;

    public bool DryRun { get; private set; }

    /// <summary>The entity's own options (<see cref="IImportTarget.Options"/>) as a JSON object of strings, validated at submit.</summary>
    public string Options { get; private set; } = "{}";

    public string? FileName { get; private set; }

    /// <summary>The Content-Type of the upload, with its charset.</summary>
    public string ContentType { get; private set; } = string.Empty;

    /// <summary>The spooled body of an asynchronous job; null for a synchronous one (read from the request).</summary>
    public string? SpoolPath { get; private set; }

    public ImportJobStatus Status { get; private set; }

    public bool CancelRequested { get; private set; }

    /// <summary>Data rows read and committed (or, on a dry run, checked).</summary>
    public long RowsProcessed { get; private set; }

    public long Created { get; private set; }

    public long Updated { get; private set; }

    public long Unchanged { get; private set; }

    public long Rejected { get; private set; }

    public string? Error { get; private set; }

    public Guid? ActorId { get; private set; }

    public string ActorKind { get; private set; } = string.Empty;

    /// <summary>The caller's claims as JSON (type/value pairs), to run the job as the caller.</summary>
    public string Caller { get; private set; } = "[]";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>Moved by every chunk; a running job whose heartbeat is old was interrupted.</summary>
    public DateTimeOffset? HeartbeatAt { get; private set; }

    public uint Version { get; private set; }

    public static ImportJob Start(
        string entity, ImportSettings settings, string? fileName, string contentType, string? spoolPath,
        Guid? actorId, string actorKind, string caller, DateTimeOffset now) => new()
    {
        Id = settings.JobId,
        Entity = entity,
        Mode = settings.Mode,
        MatchOn = settings.MatchOn,
        DryRun = settings.DryRun,
        Options = JsonSerializer.Serialize(settings.Options),
        FileName = fileName,
        ContentType = contentType,
        SpoolPath = spoolPath,
        Status = spoolPath is null ? ImportJobStatus.Running : ImportJobStatus.Queued,
        StartedAt = spoolPath is null ? now : null,
        HeartbeatAt = spoolPath is null ? now : null,
        ActorId = actorId,
        ActorKind = actorKind,
        Caller = caller,
        CreatedAt = now,
    };

    public ImportSettings Settings() => new(Mode, MatchOn, DryRun, Id) { Options = OptionValues() };

    public IReadOnlyDictionary<string, string> OptionValues() => JsonSerializer.Deserialize<Dictionary<string, string>>(Options) ?? [];

    public bool IsFinished => Status is ImportJobStatus.Succeeded or ImportJobStatus.Failed or ImportJobStatus.Cancelled;

    /// <summary>A queued job is cancelled at once; a running one stops after its current chunk.</summary>
    public void Cancel(DateTimeOffset now)
    {
        if (Status == ImportJobStatus.Queued)
        {
            Finish(ImportJobStatus.Cancelled, null, now);
            return;
        }

        CancelRequested = true;
    }

    public void Finish(ImportJobStatus status, string? error, DateTimeOffset now)
    {
        Status = status;
        Error = error is { Length: > 2000 } ? error[..2000] : error;
        FinishedAt = now;
    }
}

/// <summary>One rejected row of a job.</summary>
internal sealed class ImportError
{
    private ImportError()
    {
    }

    public long Id { get; private set; }

    public Guid JobId { get; private set; }

    public int Row { get; private set; }

    public string? ColumnName { get; private set; }

    public string Message { get; private set; } = string.Empty;
}

/// <summary>
/// A row of a job whose target assembles groups (<c>IImportTarget.GroupField</c>: an order's lines), kept from the chunk
/// that read it until the chunk that writes its group; written and read by the runner with set-based SQL.
/// </summary>
internal sealed class ImportStagedRow
{
    private ImportStagedRow()
    {
    }

    public Guid JobId { get; private set; }

    /// <summary>The row number in the file, as errors report it.</summary>
    public int Row { get; private set; }

    /// <summary>The group the row belongs to (the order's external id).</summary>
    public string GroupKey { get; private set; } = string.Empty;

    /// <summary>The row's cells by API field name (JSON object).</summary>
    public string Values { get; private set; } = "{}";
}

/// <summary>
/// A unique key (match key, registration number, name, phone, ...) that an accepted row of a running job claimed, as a
/// 64-bit hash: a later row with the same key is a duplicate inside the file (ADR 0044). Written and read set-based per
/// chunk by the import runner, deleted when the job ends.
/// </summary>
internal sealed class ImportKeyClaim
{
    private ImportKeyClaim()
    {
    }

    public Guid JobId { get; private set; }

    /// <summary>The key's 64-bit FNV-1a hash.</summary>
    public long KeyHash { get; private set; }

    /// <summary>The row that claimed the key, named in the duplicate's error.</summary>
    public int Row { get; private set; }
}

/// <summary>
/// The audit trail's name for an import: one summary entry per finished job (who, file, counts). The rows it
/// changed are summarised by their own module per chunk (see docs/adr/0015-bulk-import-export.md).
/// </summary>
[AuditEntityType("import")]
internal sealed class ImportAudit : IAuditable
{
    public Guid Id { get; init; }
}
