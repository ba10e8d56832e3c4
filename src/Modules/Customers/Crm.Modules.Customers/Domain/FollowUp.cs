namespace Crm.Modules.Customers.Domain;

/// <summary>
/// A follow-up (跟进记录) logged against a customer, optionally with one of its contacts: a note, visit, call or
/// email. It is an append-only log entry, never edited, so it is not audited; the customer's
/// <c>lastFollowUpAt</c> and <c>nextFollowUpAt</c> are derived from the newest one.
/// </summary>
internal sealed class FollowUp
{
    public const int MaxContentLength = 4000;

    private FollowUp()
    {
    }

    public Guid Id { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? ContactId { get; private set; }

    public FollowUpKind Kind { get; private set; }

    public string Content { get; private set; } = string.Empty;

    public DateTimeOffset OccurredAt { get; private set; }

    public DateTimeOffset? NextFollowUpAt { get; private set; }

    /// <summary>The user or API key that logged it.</summary>
    public Guid? AuthorId { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static FollowUp Create(Guid customerId, Guid? contactId, FollowUpKind kind, string content, DateTimeOffset occurredAt, DateTimeOffset? next, Guid? authorId, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            CustomerId = customerId,
            ContactId = contactId,
            Kind = kind,
            Content = content.Trim(),
            OccurredAt = occurredAt,
            NextFollowUpAt = next,
            AuthorId = authorId,
            CreatedAt = now,
        };
}

/// <summary>How the customer was followed up.</summary>
internal enum FollowUpKind
{
    /// <summary>A note (备注).</summary>
    Note,

    /// <summary>A visit (拜访).</summary>
    Visit,

    /// <summary>A phone call (电话).</summary>
    Call,

    /// <summary>An email (邮件).</summary>
    Email,
}
