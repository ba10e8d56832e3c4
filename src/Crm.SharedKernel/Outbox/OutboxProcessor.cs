using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Crm.SharedKernel.Outbox;

/// <summary>Background loop that drains every module's outbox, then waits one poll interval.</summary>
internal sealed partial class OutboxProcessor(
    IEnumerable<IOutboxDispatcher> dispatchers,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxProcessor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.PollInterval, time);
        try
        {
            do
            {
                foreach (var dispatcher in dispatchers)
                {
                    await DrainAsync(dispatcher, settings.BatchSize, stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: claimed rows roll back with their transaction and are taken again later.
        }
    }

    private async Task DrainAsync(IOutboxDispatcher dispatcher, int batchSize, CancellationToken ct)
    {
        try
        {
            while (await dispatcher.DispatchBatchAsync(ct) >= batchSize)
            {
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDispatchFailed(logger, ex, dispatcher.Module);
        }
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Outbox dispatch for {Module} failed; retrying on the next tick")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, string module);
}
