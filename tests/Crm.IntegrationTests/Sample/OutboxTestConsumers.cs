using System.Collections.Concurrent;
using Crm.SharedKernel.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sample;

/// <summary>Records every delivery (consumer, event id) so tests can count them.</summary>
internal static class DeliveryLog
{
    public static ConcurrentQueue<(string Consumer, Guid EventId)> Deliveries { get; } = new();

    /// <summary>While positive, <see cref="FlakyConsumer"/> fails and counts down.</summary>
    public static int FlakyFailuresRemaining;

    public static void Reset()
    {
        Deliveries.Clear();
        Interlocked.Exchange(ref FlakyFailuresRemaining, 0);
    }
}

internal sealed class AuditConsumer : IIntegrationEventHandler<NoteCreated>
{
    public Task HandleAsync(NoteCreated integrationEvent, CancellationToken ct)
    {
        DeliveryLog.Deliveries.Enqueue((nameof(AuditConsumer), integrationEvent.EventId));
        return Task.CompletedTask;
    }
}

internal sealed class FlakyConsumer : IIntegrationEventHandler<NoteCreated>
{
    public Task HandleAsync(NoteCreated integrationEvent, CancellationToken ct)
    {
        if (Interlocked.Decrement(ref DeliveryLog.FlakyFailuresRemaining) >= 0)
        {
            throw new InvalidOperationException("Downstream unavailable");
        }

        DeliveryLog.Deliveries.Enqueue((nameof(FlakyConsumer), integrationEvent.EventId));
        return Task.CompletedTask;
    }
}

internal static class OutboxTestConsumerRegistration
{
    public static IServiceCollection AddOutboxTestConsumers(this IServiceCollection services) => services
        .AddIntegrationEventHandler<NoteCreated, AuditConsumer>()
        .AddIntegrationEventHandler<NoteCreated, FlakyConsumer>();
}
