using Crm.SharedKernel.Time;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.SharedKernel.Idempotency;

/// <summary>Deletes expired idempotency records. Safe on every instance at once: a DELETE of expired rows is idempotent.</summary>
internal sealed partial class IdempotencyCleanupService(
    IdempotencyStore store,
    TimeProvider time,
    IOptions<IdempotencyOptions> options,
    ILogger<IdempotencyCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await store.DeleteExpiredAsync(time.UtcNow(), stoppingToken);
                    LogCleaned(logger, deleted);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCleanupFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Deleted {Count} expired idempotency records")]
    private static partial void LogCleaned(ILogger logger, int count);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Idempotency cleanup failed; retrying on the next tick")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception);
}
