using System.Runtime.CompilerServices;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Privacy;

/// <summary>Whose personal data is exported.</summary>
/// <param name="Type">customer (an individual customer) or contact.</param>
/// <param name="Id">The customer's or the contact's id.</param>
/// <param name="CustomerId">The customer: the subject itself, or the contact's customer.</param>
/// <param name="CustomerCode">That customer's code.</param>
internal sealed record PersonalDataSubject(ErasureSubject Type, Guid Id, Guid CustomerId, string CustomerCode);

/// <summary>One consent change of one of the subject's contacts.</summary>
/// <param name="ContactId">The contact.</param>
/// <param name="Channel">The channel.</param>
/// <param name="PreviousState">The state before.</param>
/// <param name="State">The state after.</param>
/// <param name="Source">Where the change came from.</param>
/// <param name="ActorId">The user or API key that recorded it.</param>
/// <param name="ChangedAt">When.</param>
internal sealed record PersonalDataConsentChange(Guid ContactId, ContactChannel Channel, ConsentState PreviousState, ConsentState State, string Source, Guid? ActorId, DateTimeOffset ChangedAt);

/// <summary>
/// Everything the customer archive holds about one person (PIPL / GDPR access request), as one JSON document.
/// The long parts (consent history, follow-ups, audit entries) are streamed as they are read, so the document
/// has no size limit and the server holds only one page of it at a time.
/// </summary>
/// <param name="Subject">Whose data this is.</param>
/// <param name="GeneratedAt">When the export was made (UTC).</param>
/// <param name="GeneratedBy">The user who asked for it.</param>
/// <param name="Erasure">The erasure of this person's data, when it has been erased (the rest then shows what is left).</param>
/// <param name="Customer">The individual customer, or the contact's customer (the parent).</param>
/// <param name="Contacts">The customer's contacts (archived ones included), or the one contact.</param>
/// <param name="OwnerHistory">The customer's changes of owner (a contact's owner follows its customer), newest first.</param>
/// <param name="ConsentHistory">Every consent change of those contacts, newest first.</param>
/// <param name="FollowUps">
/// Follow-ups about the person, newest first: all of the individual customer's; for a contact those logged with it and
/// those of its customer whose text contains the contact's name.
/// </param>
/// <param name="AuditEntries">The audit trail of the customer (for an individual), the contacts and the erasure, newest first per record.</param>
internal sealed record PersonalDataExport(
    PersonalDataSubject Subject,
    DateTimeOffset GeneratedAt,
    Guid? GeneratedBy,
    PersonalDataErasureResponse? Erasure,
    CustomerResponse Customer,
    IReadOnlyList<ContactResponse> Contacts,
    IReadOnlyList<OwnerChangeResponse> OwnerHistory,
    IAsyncEnumerable<PersonalDataConsentChange> ConsentHistory,
    IAsyncEnumerable<FollowUpResponse> FollowUps,
    IAsyncEnumerable<AuditEntryItem> AuditEntries);

internal sealed record ExportPersonalDataRequest(ErasureSubject Type, Guid Id) : IRequest<PersonalDataExport>;

internal sealed class ExportPersonalDataHandler(CustomersDbContext db, IAccessScopeProvider access, IAuditLog audit, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ExportPersonalDataRequest, PersonalDataExport>
{
    private const string CustomerAuditType = "customer";
    private const string ContactAuditType = "contact";
    private const string ErasureAuditType = "personalDataErasure";

    public async Task<PersonalDataExport> Handle(ExportPersonalDataRequest request, CancellationToken cancellationToken)
    {
        Customer customer;
        List<Contact> contacts;
        IQueryable<FollowUp> followUps;
        var audited = new List<(string Type, Guid Id)>();
        if (request.Type == ErasureSubject.Customer)
        {
            // Managers see their team subtree, admins everything: the export follows the owner's manager chain.
            customer = await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.Id, cancellationToken);
            PrivacyProblems.EnsurePerson(customer);
            contacts = await db.Contacts.AsNoTracking().Where(c => c.CustomerId == customer.Id).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
            followUps = db.FollowUps.Where(f => f.CustomerId == customer.Id);
            audited.Add((CustomerAuditType, customer.Id));
        }
        else
        {
            var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts.AsNoTracking(), access, request.Id, cancellationToken);
            customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == contact.CustomerId, cancellationToken);
            contacts = [contact];
            followUps = PersonalDataScope.FollowUpsAbout(db, contact);
        }

        audited.AddRange(contacts.Select(c => (ContactAuditType, c.Id)));
        var erasure = await db.PersonalDataErasures.AsNoTracking()
            .Where(e => e.SubjectType == request.Type && e.SubjectId == request.Id)
            .Select(PersonalDataErasureResponse.Projection)
            .SingleOrDefaultAsync(cancellationToken);
        if (erasure is not null)
        {
            audited.Add((ErasureAuditType, erasure.Id));
        }

        var contactIds = contacts.Select(c => c.Id).ToList();
        var ownerHistory = await db.CustomerOwnerHistory.AsNoTracking()
            .Where(h => h.CustomerId == customer.Id)
            .OrderByDescending(h => h.Id)
            .Select(h => new OwnerChangeResponse(h.CustomerId, h.FromOwnerId, h.ToOwnerId, h.Reason, h.ActorId, h.At, h.TransferId))
            .ToListAsync(cancellationToken);

        return new PersonalDataExport(
            new PersonalDataSubject(request.Type, request.Id, customer.Id, customer.Code),
            time.UtcNow(),
            actor.Id,
            erasure,
            CustomerProjection.From(customer),
            await ContactProjection.WithConsentsAsync(db, contacts, cancellationToken),
            ownerHistory,
            OneAfterAnother(db.ContactConsentChanges.AsNoTracking()
                .Where(c => contactIds.Contains(c.ContactId))
                .OrderByDescending(c => c.Id)
                .Select(c => new PersonalDataConsentChange(c.ContactId, c.Channel, c.PreviousState, c.State, c.Source, c.ActorId, c.ChangedAt))),
            OneAfterAnother(followUps.AsNoTracking().OrderByDescending(f => f.OccurredAt).ThenByDescending(f => f.Id).Select(FollowUpProjection.ToResponse)),
            AuditEntriesAsync(audited));
    }

    /// <summary>
    /// Streams a query and closes its reader as soon as it is exhausted. The serializer disposes the enumerators of
    /// the document's streamed members only at the end, and one connection runs one reader at a time.
    /// </summary>
    private static async IAsyncEnumerable<T> OneAfterAnother<T>(IQueryable<T> query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var item in query.AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return item;
        }
    }

    /// <summary>Each record's trail, one page of 500 at a time (the trail's own keyset reads).</summary>
    private async IAsyncEnumerable<AuditEntryItem> AuditEntriesAsync(IReadOnlyList<(string Type, Guid Id)> records, [EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var (type, id) in records)
        {
            string? cursor = null;
            do
            {
                var page = await audit.ListAsync(new AuditLogQuery(type, id), new PageRequest(PageRequest.MaxLimit, cursor), ct);
                foreach (var item in page.Items)
                {
                    yield return item;
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }
    }
}

/// <summary>What belongs to a person beyond their own row, shared by export and erase so both cover the same data.</summary>
internal static class PersonalDataScope
{
    /// <summary>Names shorter than this are not looked for in free text: one character would match everywhere.</summary>
    public const int MinNameLengthInText = 2;

    /// <summary>A contact's follow-ups: those logged with it, and those of its customer whose text names it.</summary>
    public static IQueryable<FollowUp> FollowUpsAbout(CustomersDbContext db, Contact contact)
    {
        var name = contact.Name;
        return name.Length >= MinNameLengthInText
            ? db.FollowUps.Where(f => f.ContactId == contact.Id || (f.CustomerId == contact.CustomerId && f.Content.Contains(name)))
            : db.FollowUps.Where(f => f.ContactId == contact.Id);
    }
}
