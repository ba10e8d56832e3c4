using System.Text.Json;
using Crm.Modules.Integration.Contracts;
using Crm.Modules.Integration.Data;
using Crm.Modules.Integration.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Crm.Modules.Integration.Features.Imports;

/// <summary>
/// Starts an import of <paramref name="Entity"/> from the raw request body. <paramref name="Options"/> are the query string's
/// other parameters: those the entity declares (<see cref="IImportTarget.Options"/>) are its options.
/// </summary>
internal sealed record StartImportRequest(
    string Entity, string? Mode, string? MatchOn, bool DryRun, string? FileName, string? ContentType, Stream Body, bool RespondAsync,
    IReadOnlyDictionary<string, string> Options)
    : IRequest<StartImportResult>;

/// <summary>Either the finished report (synchronous) or the queued job (asynchronous).</summary>
internal sealed record StartImportResult(ImportReport? Report, ImportJobResponse? Job);

internal sealed class StartImportHandler(
    IntegrationDbContext db, ImportRunner runner, ImportSignal signal, ICurrentActor actor, IHttpContextAccessor http,
    IAuthorizationService authorization, IOptions<ImportOptions> options, TimeProvider time) : IRequestHandler<StartImportRequest, StartImportResult>
{
    public async Task<StartImportResult> Handle(StartImportRequest request, CancellationToken cancellationToken)
    {
        var target = runner.Target(request.Entity);
        var user = http.HttpContext?.User ?? new();
        if (target.RequiredPermission is { } permission
            && !(await authorization.AuthorizeAsync(user, PermissionAuthorization.PolicyPrefix + permission)).Succeeded)
        {
            throw IntegrationProblems.PermissionRequired(target.Entity, permission);
        }

        var mode = QueryEnum.Parse<ImportMode>(request.Mode, "mode") ?? ImportMode.Upsert;
        var matchOn = ResolveMatchOn(target.Schema, request.MatchOn);
        var entityOptions = await target.ValidateOptionsAsync(Declared(target, request.Options), user, cancellationToken);
        var settings = new ImportSettings(mode, matchOn, request.DryRun, Guid.CreateVersion7(time.UtcNow())) { Options = entityOptions };
        var caller = JsonSerializer.Serialize(user.Claims.Select(c => new[] { c.Type, c.Value }).ToList());

        if (!request.RespondAsync)
        {
            var reader = ImportFileReader.Open(request.ContentType, request.Body, target.Schema);
            await reader.StartAsync(cancellationToken);
            await AddJobAsync(target, settings, request, null, caller, cancellationToken);
            return new StartImportResult(await runner.RunAsync(settings.JobId, reader, cancellationToken), null);
        }

        // Asynchronous: the body is spooled to a file first (the request ends before the job runs), then its
        // header is checked so a file that cannot be imported is still a 400 now, not a failed job later.
        ImportFileReader.Open(request.ContentType, Stream.Null, target.Schema);
        Directory.CreateDirectory(options.Value.SpoolDirectory);
        var spool = Path.Combine(options.Value.SpoolDirectory, $"{settings.JobId:N}.upload");
        try
        {
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await request.Body.CopyToAsync(file, cancellationToken);
            }

            await using (var check = File.OpenRead(spool))
            {
                await ImportFileReader.Open(request.ContentType, check, target.Schema).StartAsync(cancellationToken);
            }

            var job = await AddJobAsync(target, settings, request, spool, caller, cancellationToken);
            signal.Notify();
            return new StartImportResult(null, ImportJobResponse.From(job, time.UtcNow()));
        }
        catch
        {
            File.Delete(spool);
            throw;
        }
    }

    private async Task<ImportJob> AddJobAsync(IImportTarget target, ImportSettings settings, StartImportRequest request, string? spool, string caller, CancellationToken ct)
    {
        var fileName = string.IsNullOrWhiteSpace(request.FileName) ? null : request.FileName.Trim();
        var job = ImportJob.Start(
            target.Entity, settings, fileName is { Length: > 300 } ? fileName[..300] : fileName, request.ContentType ?? string.Empty, spool,
            actor.Id, actor.Kind, caller, time.UtcNow());
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>The options the target declares, under their declared spelling; other query parameters are not the target's.</summary>
    private static Dictionary<string, string> Declared(IImportTarget target, IReadOnlyDictionary<string, string> query) =>
        target.Options
            .Select(name => (Name: name, Value: query.FirstOrDefault(q => string.Equals(q.Key, name, StringComparison.OrdinalIgnoreCase)).Value))
            .Where(o => o.Value is not null)
            .ToDictionary(o => o.Name, o => o.Value, StringComparer.Ordinal);

    private static string ResolveMatchOn(ImportSchema schema, string? matchOn)
    {
        if (string.IsNullOrWhiteSpace(matchOn))
        {
            return schema.MatchKeys[0];
        }

        var field = schema.Resolve(matchOn);
        return field is not null && schema.MatchKeys.Contains(field)
            ? field
            : throw ValidationFailedException.For("matchOn", $"matchOn must be one of {string.Join(", ", schema.MatchKeys)}.");
    }
}

/// <summary>Wakes the background worker when a job is queued (it also polls, for jobs queued by other instances).</summary>
internal sealed class ImportSignal
{
    private readonly SemaphoreSlim _signal = new(0);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
