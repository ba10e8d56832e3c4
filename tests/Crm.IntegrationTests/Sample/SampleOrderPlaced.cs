using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.IntegrationTests.Sample;

/// <summary>
/// What a future module (Sales) does to put its events on the customer timeline: implement
/// <see cref="ICustomerTimelineEvent"/> and register the event with AddCustomerTimelineEvent — nothing in Customers changes.
/// </summary>
internal sealed record SampleOrderPlaced : IntegrationEvent, ICustomerTimelineEvent
{
    public SampleOrderPlaced(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    public required Guid CustomerId { get; init; }

    public required string OrderNumber { get; init; }

    public required decimal Amount { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => "order";

    string ICustomerTimelineEvent.TimelineSummary => $"Order {OrderNumber} placed: {Amount:0.00} CNY";
}
