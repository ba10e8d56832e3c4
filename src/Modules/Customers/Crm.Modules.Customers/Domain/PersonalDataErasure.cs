using Crm.SharedKernel.Audit;

namespace Crm.Modules.Customers.Domain;

/// <summary>
/// The record that a person's personal data was erased (PIPL / GDPR): who, when, why, and what the erasure
/// touched, without any of the erased values. One per subject (unique), which is what makes erase idempotent.
/// It is audited (<c>personalDataErasure</c>), so its creation is the erasure's own audit entry.
/// </summary>
[AuditEntityType("personalDataErasure")]
internal sealed class PersonalDataErasure : IAuditable, IOwnedRecord
{
    public const int MaxReasonLength = 500;

    private PersonalDataErasure()
    {
    }

    public Guid Id { get; private set; }

    public ErasureSubject SubjectType { get; private set; }

    /// <summary>The erased customer or contact.</summary>
    public Guid SubjectId { get; private set; }

    /// <summary>The customer: the subject itself, or the contact's customer.</summary>
    public Guid CustomerId { get; private set; }

    /// <summary>The customer's owner at the time (audit visibility).</summary>
    public Guid? OwnerId { get; private set; }

    /// <summary>Why (a ticket number, "data subject request of 2026-11-20"); must not repeat the erased values.</summary>
    public string Reason { get; private set; } = string.Empty;

    public Guid? ActorId { get; private set; }

    public DateTimeOffset ErasedAt { get; private set; }

    /// <summary>The contacts anonymised with the subject (the contact itself, or all contacts of an individual).</summary>
    public List<Guid> ContactIds { get; private set; } = [];

    /// <summary>Follow-ups whose text was erased or had the person's name, phones and emails removed.</summary>
    public int FollowUpsScrubbed { get; private set; }

    /// <summary>Audit entries whose personal values were replaced by <c>"***"</c>.</summary>
    public int AuditEntriesScrubbed { get; private set; }

    public static PersonalDataErasure Create(
        ErasureSubject subjectType, Guid subjectId, Guid customerId, Guid? ownerId, string reason, Guid? actorId, DateTimeOffset now,
        IReadOnlyList<Guid> contactIds, int followUpsScrubbed, int auditEntriesScrubbed) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            SubjectType = subjectType,
            SubjectId = subjectId,
            CustomerId = customerId,
            OwnerId = ownerId,
            Reason = reason.Trim(),
            ActorId = actorId,
            ErasedAt = now,
            ContactIds = contactIds.ToList(),
            FollowUpsScrubbed = followUpsScrubbed,
            AuditEntriesScrubbed = auditEntriesScrubbed,
        };
}

/// <summary>Whose personal data was erased.</summary>
internal enum ErasureSubject
{
    /// <summary>An individual customer (个人客户), with its contacts.</summary>
    Customer,

    /// <summary>One contact (联系人).</summary>
    Contact,
}
