using Crm.SharedKernel.Audit;

namespace Crm.Modules.Customers.Domain;

/// <summary>
/// A person at a customer (联系人). The owner is the customer's owner, copied here so the audit trail shows
/// the contact's history to the same people; ownership transfers keep it in step. Deleting archives it.
/// Consent per channel is not a field here: it changes only through its own endpoint, which writes
/// <see cref="ContactConsentChange"/> rows, so no edit of the contact can undo an opt-out.
/// </summary>
[AuditEntityType("contact")]
internal sealed class Contact : IAuditable, IOwnedRecord
{
    private Contact()
    {
    }

    public Guid Id { get; private set; }

    public Guid CustomerId { get; private set; }

    public Guid? OwnerId { get; private set; }

    public string Name { get; private set; } = string.Empty;

    public string? Title { get; private set; }

    public DecisionRole? DecisionRole { get; private set; }

    public List<string> Phones { get; private set; } = [];

    public List<string> Emails { get; private set; } = [];

    public string? WeChatId { get; private set; }

    public DateOnly? Birthday { get; private set; }

    public ContactChannel? PreferredChannel { get; private set; }

    /// <summary>Days of the contact window; empty when no window is set.</summary>
    public List<DayOfWeek> WindowDays { get; private set; } = [];

    public TimeOnly? WindowFrom { get; private set; }

    public TimeOnly? WindowTo { get; private set; }

    /// <summary>IANA time zone of the window (Asia/Shanghai).</summary>
    public string? WindowTimeZone { get; private set; }

    public bool IsArchived { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? ArchivedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>The values of the administrator-defined fields, a JSON object (jsonb), validated against their definitions by the writer.</summary>
    public string CustomFields { get; private set; } = "{}";

    // id: chosen by the caller for an idempotent registration by another module (ICustomerRegistration); a new UUID v7 otherwise.
    public static Contact Create(Guid customerId, Guid? ownerId, ContactDetails details, DateTimeOffset now, Guid? id = null)
    {
        var contact = new Contact { Id = id ?? Guid.CreateVersion7(now), CustomerId = customerId, OwnerId = ownerId, CreatedAt = now };
        contact.Update(details, now);
        return contact;
    }

    public ContactDetails Details() => new(
        Name, Title, DecisionRole, Phones, Emails, WeChatId, Birthday, PreferredChannel,
        WindowFrom is { } from && WindowTo is { } to && WindowTimeZone is { } zone ? new ContactWindow(WindowDays, from, to, zone) : null)
    {
        CustomFields = CustomFields,
    };

    public void Update(ContactDetails details, DateTimeOffset now)
    {
        Name = details.Name.Trim();
        CustomFields = details.CustomFields;
        Title = Clean(details.Title);
        DecisionRole = details.DecisionRole;
        Phones = details.Phones.Select(CustomerSearch.NormalizePhone).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        Emails = details.Emails.Select(CustomerSearch.NormalizeEmail).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        WeChatId = Clean(details.WeChatId);
        Birthday = details.Birthday;
        PreferredChannel = details.PreferredChannel;
        WindowDays = details.Window?.Days.Distinct().Order().ToList() ?? [];
        WindowFrom = details.Window?.From;
        WindowTo = details.Window?.To;
        WindowTimeZone = details.Window?.TimeZone.Trim();
        UpdatedAt = now;
    }

    public void Archive(DateTimeOffset now)
    {
        if (IsArchived)
        {
            return;
        }

        IsArchived = true;
        ArchivedAt = now;
        UpdatedAt = now;
    }

    /// <summary>A consent change touches the row so its ETag moves: the representation includes the consents.</summary>
    public void ConsentChanged(DateTimeOffset now) => UpdatedAt = now;

    /// <summary>True when no window is set, or <paramref name="at"/> falls inside it in the window's time zone.</summary>
    public bool IsInsideWindow(DateTimeOffset at)
    {
        if (WindowFrom is not { } from || WindowTo is not { } to || WindowTimeZone is null)
        {
            return true;
        }

        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(WindowTimeZone));
        var time = TimeOnly.FromDateTime(local.DateTime);
        // A window such as 20:00-08:00 runs past midnight; it belongs to the day it starts on.
        if (from < to)
        {
            return WindowDays.Contains(local.DayOfWeek) && time >= from && time < to;
        }

        return (WindowDays.Contains(local.DayOfWeek) && time >= from)
            || (WindowDays.Contains(local.AddDays(-1).DayOfWeek) && time < to);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>The editable fields of a contact, already validated.</summary>
internal sealed record ContactDetails(
    string Name,
    string? Title,
    DecisionRole? DecisionRole,
    IReadOnlyList<string> Phones,
    IReadOnlyList<string> Emails,
    string? WeChatId,
    DateOnly? Birthday,
    ContactChannel? PreferredChannel,
    ContactWindow? Window)
{
    /// <summary>The custom field values as a JSON object, already checked against the definitions.</summary>
    public string CustomFields { get; init; } = "{}";
}

/// <summary>When the contact prefers to be reached.</summary>
/// <param name="Days">Days of the week (monday ... sunday), at least one.</param>
/// <param name="From">Local start time (HH:mm:ss).</param>
/// <param name="To">Local end time, exclusive; earlier than from for a window running past midnight.</param>
/// <param name="TimeZone">IANA time zone, e.g. Asia/Shanghai.</param>
internal sealed record ContactWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly From, TimeOnly To, string TimeZone);

/// <summary>
/// One change of a contact's consent on one channel. The latest row per channel is the current state; the
/// rows are never updated or deleted, so the history of every opt-out stays. The id is a database sequence:
/// it orders changes exactly as they were committed, even two within the same microsecond.
/// </summary>
internal sealed class ContactConsentChange
{
    private ContactConsentChange()
    {
    }

    public long Id { get; private set; }

    public Guid ContactId { get; private set; }

    public ContactChannel Channel { get; private set; }

    public ConsentState State { get; private set; }

    public ConsentState PreviousState { get; private set; }

    /// <summary>Where the change came from: "unsubscribe link", "phone call", ...</summary>
    public string Source { get; private set; } = string.Empty;

    public Guid? ActorId { get; private set; }

    public DateTimeOffset ChangedAt { get; private set; }

    public static ContactConsentChange Create(Guid contactId, ContactChannel channel, ConsentState previous, ConsentState state, string source, Guid? actorId, DateTimeOffset now) =>
        new()
        {
            ContactId = contactId,
            Channel = channel,
            PreviousState = previous,
            State = state,
            Source = source.Trim(),
            ActorId = actorId,
            ChangedAt = now,
        };
}
