using Crm.Modules.Integration.Contracts;
using Crm.Modules.Integration.Domain;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>An import job (<c>/api/v1/imports/{id}</c>).</summary>
/// <param name="Id">Job id.</param>
/// <param name="Entity">What is imported: customers or contacts.</param>
/// <param name="Status">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Mode">create, update or upsert.</param>
/// <param name="MatchOn">The field that identifies existing records.</param>
/// <param name="DryRun">True when nothing is changed, only validated.</param>
/// <param name="Options">The entity's own options the job runs with (orders: overrideCredit, overrideReason), as validated when it was submitted.</param>
/// <param name="FileName">The uploaded file's name, when given.</param>
/// <param name="RowsProcessed">Data rows read and committed so far.</param>
/// <param name="Created">Records created.</param>
/// <param name="Updated">Records updated.</param>
/// <param name="Unchanged">Rows matching a record that already had these values.</param>
/// <param name="Rejected">Rows rejected (see /errors).</param>
/// <param name="CancelRequested">A cancel was asked for; the job stops after its current chunk.</param>
/// <param name="Error">Why the job failed, when it did.</param>
/// <param name="CreatedAt">When the job was submitted.</param>
/// <param name="StartedAt">When it started running.</param>
/// <param name="FinishedAt">When it finished.</param>
/// <param name="DurationSeconds">Running time so far or in total, in seconds.</param>
internal sealed record ImportJobResponse(
    Guid Id,
    string Entity,
    ImportJobStatus Status,
    ImportMode Mode,
    string MatchOn,
    bool DryRun,
    IReadOnlyDictionary<string, string> Options,
    string? FileName,
    long RowsProcessed,
    long Created,
    long Updated,
    long Unchanged,
    long Rejected,
    bool CancelRequested,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationSeconds)
{
    public static ImportJobResponse From(ImportJob job, DateTimeOffset now) => new(
        job.Id, job.Entity, job.Status, job.Mode, job.MatchOn, job.DryRun, job.OptionValues(), job.FileName, job.RowsProcessed, job.Created, job.Updated,
        job.Unchanged, job.Rejected, job.CancelRequested, job.Error, job.CreatedAt, job.StartedAt, job.FinishedAt,
        job.StartedAt is { } started ? ((job.FinishedAt ?? now) - started).TotalSeconds : null);
}

/// <summary>The report of a synchronous import.</summary>
/// <param name="JobId">The job, whose complete list of rejected rows is at /api/v1/imports/{jobId}/errors.</param>
/// <param name="Status">succeeded, failed (the file broke off; see error) or cancelled.</param>
/// <param name="DryRun">True when nothing was changed.</param>
/// <param name="RowsProcessed">Data rows read.</param>
/// <param name="Created">Records created (on a dry run: that would be created).</param>
/// <param name="Updated">Records updated.</param>
/// <param name="Unchanged">Rows matching a record that already had these values.</param>
/// <param name="Rejected">Rows rejected.</param>
/// <param name="Errors">Rejected rows, in file order (the first 1000).</param>
/// <param name="ErrorsTruncated">True when there are more errors than listed here.</param>
/// <param name="Error">Why the import stopped early, when it did.</param>
internal sealed record ImportReport(
    Guid JobId,
    ImportJobStatus Status,
    bool DryRun,
    long RowsProcessed,
    long Created,
    long Updated,
    long Unchanged,
    long Rejected,
    IReadOnlyList<ImportErrorResponse> Errors,
    bool ErrorsTruncated,
    string? Error)
{
    public static ImportReport From(ImportJob job, IReadOnlyList<ImportErrorResponse> errors, bool truncated) => new(
        job.Id, job.Status, job.DryRun, job.RowsProcessed, job.Created, job.Updated, job.Unchanged, job.Rejected, errors, truncated, job.Error);
}

/// <summary>A rejected row.</summary>
/// <param name="Row">Line number in the file (the CSV header is row 1; the position in a JSON array).</param>
/// <param name="Column">The column as the file names it, or null when the whole row is at fault.</param>
/// <param name="Message">What is wrong.</param>
internal sealed record ImportErrorResponse(int Row, string? Column, string Message);
