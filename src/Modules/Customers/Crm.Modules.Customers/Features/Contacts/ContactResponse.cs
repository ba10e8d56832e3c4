using Crm.Modules.Customers.Data;
using System.Text.Json;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.SharedKernel.Paging;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Contacts;

/// <summary>A contact (联系人) of a customer.</summary>
/// <param name="Id">Contact id.</param>
/// <param name="CustomerId">The customer the contact belongs to.</param>
/// <param name="Name">Name.</param>
/// <param name="Title">Job title (职务).</param>
/// <param name="DecisionRole">Role in the buying decision: decisionMaker, influencer, user or gatekeeper.</param>
/// <param name="Phones">Phone numbers, normalized to digits (a leading + kept).</param>
/// <param name="Emails">Email addresses, lower-case.</param>
/// <param name="WeChatId">WeChat id (微信号).</param>
/// <param name="Birthday">Birthday (date).</param>
/// <param name="PreferredChannel">Preferred channel: phone, email, sms, wechat, visit or mail.</param>
/// <param name="ContactWindow">When the contact prefers to be reached; null when any time is fine.</param>
/// <param name="Consents">Consent per channel (all six), with the date and source of the last change.</param>
/// <param name="IsArchived">True once deleted (archived).</param>
/// <param name="CreatedAt">When the contact was created.</param>
/// <param name="UpdatedAt">When the contact or one of its consents last changed.</param>
/// <param name="ArchivedAt">When the contact was archived, if it is.</param>
/// <param name="CustomFields">Values of the custom fields, keyed by field key (GET /api/v1/custom-fields/contacts describes them).</param>
internal sealed record ContactResponse(
    Guid Id,
    Guid CustomerId,
    string Name,
    string? Title,
    DecisionRole? DecisionRole,
    IReadOnlyList<string> Phones,
    IReadOnlyList<string> Emails,
    string? WeChatId,
    DateOnly? Birthday,
    ContactChannel? PreferredChannel,
    ContactWindow? ContactWindow,
    IReadOnlyList<ConsentResponse> Consents,
    bool IsArchived,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt,
    IReadOnlyDictionary<string, JsonElement> CustomFields);

/// <summary>A contact's consent on one channel.</summary>
/// <param name="Channel">phone, email, sms, wechat, visit or mail.</param>
/// <param name="State">granted, optedOut or unknown (never changed).</param>
/// <param name="ChangedAt">When it last changed; null while unknown and never changed.</param>
/// <param name="Source">Where the last change came from.</param>
internal sealed record ConsentResponse(ContactChannel Channel, ConsentState State, DateTimeOffset? ChangedAt, string? Source);

/// <summary>A contact with the row version that becomes its ETag.</summary>
internal sealed record VersionedContact(ContactResponse Contact, uint Version);

internal static class ContactProjection
{
    /// <summary>Sortable on indexed columns (within one customer); oldest first, so a list reads as the contacts were added.</summary>
    public static readonly SortDefinition<Contact, Contact> Sort = new SortDefinition<Contact, Contact>(c => c.Id, c => c.Id, "createdAt")
        .Add("createdAt", c => c.CreatedAt, c => c.CreatedAt)
        .Add("name", c => c.Name, c => c.Name);

    public static ContactResponse From(Contact contact, IEnumerable<ContactConsentChange> changes)
    {
        var latest = changes.Where(c => c.ContactId == contact.Id)
            .GroupBy(c => c.Channel)
            .ToDictionary(g => g.Key, g => g.MaxBy(c => c.Id)!);
        var consents = Enum.GetValues<ContactChannel>()
            .Select(channel => latest.TryGetValue(channel, out var change)
                ? new ConsentResponse(channel, change.State, change.ChangedAt, change.Source)
                : new ConsentResponse(channel, ConsentState.Unknown, null, null))
            .ToList();
        var details = contact.Details();
        return new ContactResponse(
            contact.Id, contact.CustomerId, details.Name, details.Title, details.DecisionRole, details.Phones, details.Emails,
            details.WeChatId, details.Birthday, details.PreferredChannel, details.Window, consents, contact.IsArchived,
            contact.CreatedAt, contact.UpdatedAt, contact.ArchivedAt, CustomFieldJson.Read(contact.CustomFields));
    }

    /// <summary>The contacts with their consents, read in one query for all of them.</summary>
    public static async Task<List<ContactResponse>> WithConsentsAsync(CustomersDbContext db, IReadOnlyList<Contact> contacts, CancellationToken ct)
    {
        var ids = contacts.Select(c => c.Id).ToList();
        // Only the latest change per contact and channel (a window function over the (contact, channel, id) index),
        // so the read stays the same size however long a contact's consent history grows.
        var changes = await db.ContactConsentChanges.AsNoTracking()
            .Where(c => ids.Contains(c.ContactId))
            .GroupBy(c => new { c.ContactId, c.Channel })
            .Select(g => g.OrderByDescending(c => c.Id).First())
            .ToListAsync(ct);
        return contacts.Select(c => From(c, changes)).ToList();
    }

    public static async Task<VersionedContact> VersionedAsync(CustomersDbContext db, Contact contact, CancellationToken ct) =>
        new((await WithConsentsAsync(db, [contact], ct))[0], contact.Version);
}

internal static class ContactAccess
{
    /// <summary>The contact when the caller may see its customer; otherwise 404, whether it exists or not.</summary>
    public static async Task<Contact> FindVisibleAsync(CustomersDbContext db, IQueryable<Contact> contacts, Identity.Contracts.IAccessScopeProvider access, Guid id, CancellationToken ct)
    {
        var scope = await access.GetAsync(ct);
        var visible = db.Customers.Where(scope.Filter<Customer>(c => c.OwnerId));
        return await contacts.Where(c => c.Id == id && visible.Any(customer => customer.Id == c.CustomerId)).SingleOrDefaultAsync(ct)
            ?? throw new SharedKernel.Errors.NotFoundException("Contact", id);
    }
}
