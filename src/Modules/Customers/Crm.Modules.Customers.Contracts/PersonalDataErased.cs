using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// A person's personal data was erased (PIPL / GDPR): an individual customer with its contacts, or one contact.
/// Every module that keeps a copy of their name, phones, emails or free texts about them (orders, cases, call
/// logs, campaign lists, search indexes) must scrub it on receipt. It carries ids only, never the erased values.
/// </summary>
public sealed record PersonalDataErased : IntegrationEvent
{
    public PersonalDataErased(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary><c>customer</c> or <c>contact</c>.</summary>
    public required string SubjectType { get; init; }

    /// <summary>The erased customer or contact.</summary>
    public required Guid SubjectId { get; init; }

    /// <summary>The customer: the subject itself, or the contact's customer. Its id and code stay valid.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Every contact whose personal fields were erased.</summary>
    public required IReadOnlyList<Guid> ContactIds { get; init; }
}
