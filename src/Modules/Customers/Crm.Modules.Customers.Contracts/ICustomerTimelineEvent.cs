using Crm.SharedKernel.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// An integration event that belongs on the 360° timeline of the customers it names (orders, cases, calls,
/// campaign responses, ...). A module makes its event implement this (explicitly, so the members stay out of the
/// stored payload) and registers it once with <see cref="CustomerTimelineRegistration.AddCustomerTimelineEvent{TEvent}"/>;
/// the Customers module then records one timeline entry per named customer, at most once per event.
/// </summary>
public interface ICustomerTimelineEvent : IIntegrationEvent
{
    /// <summary>The customers whose timelines get the entry (unknown ids are skipped).</summary>
    IReadOnlyCollection<Guid> TimelineCustomerIds { get; }

    /// <summary>A short camelCase kind clients filter on, e.g. <c>order</c>, <c>case</c>, <c>status</c> (at most 50 characters).</summary>
    string TimelineKind { get; }

    /// <summary>One line for people, e.g. "Order SO-1001 placed: 12,000.00 CNY" (cut at 500 characters).</summary>
    string TimelineSummary { get; }

    /// <summary>When it happened for the customer; the event's own time unless the event says otherwise.</summary>
    DateTimeOffset TimelineAt => OccurredAt;

    /// <summary>The details stored with the entry as JSON; the event itself unless the event gives something smaller.</summary>
    object TimelineData => this;
}

/// <summary>Subscribes the customer timeline to an event type.</summary>
public static class CustomerTimelineRegistration
{
    /// <summary>Every <typeparamref name="TEvent"/> from any module's outbox lands on the timelines of the customers it names.</summary>
    public static IServiceCollection AddCustomerTimelineEvent<TEvent>(this IServiceCollection services)
        where TEvent : ICustomerTimelineEvent =>
        services.AddIntegrationEventBatchHandler<TEvent, CustomerTimelineConsumer<TEvent>>();
}

/// <summary>Writes timeline entries; implemented by the Customers module (idempotent on the event id).</summary>
internal interface ICustomerTimelineWriter
{
    Task AppendAsync(IReadOnlyList<ICustomerTimelineEvent> integrationEvents, CancellationToken ct);
}

/// <summary>The one consumer every timeline event type is delivered to, a batch of events at a time.</summary>
internal sealed class CustomerTimelineConsumer<TEvent>(ICustomerTimelineWriter writer) : IIntegrationEventBatchHandler<TEvent>
    where TEvent : ICustomerTimelineEvent
{
    public Task HandleAsync(IReadOnlyList<TEvent> integrationEvents, CancellationToken ct) =>
        writer.AppendAsync(integrationEvents.Cast<ICustomerTimelineEvent>().ToList(), ct);
}
