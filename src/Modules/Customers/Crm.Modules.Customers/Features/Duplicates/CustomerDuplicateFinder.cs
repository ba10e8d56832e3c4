using System.Linq.Expressions;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Duplicates;

/// <summary>
/// One query for all keys: the WHERE is an OR of only the keys given (<c>name_key = @k</c>, <c>phone_keys &amp;&amp; @k</c>,
/// <c>emails &amp;&amp; @k</c>, <c>registration_number = @k</c>), which PostgreSQL answers with a BitmapOr of their indexes.
/// </summary>
internal sealed class CustomerDuplicateFinder(CustomersDbContext db) : ICustomerDuplicateCheck
{
    public const int MaxLimit = 100;

    public async Task<IReadOnlyList<CustomerDuplicateCandidate>> FindAsync(CustomerDuplicateKeys keys, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        if (Query(db.Customers.AsNoTracking(), keys, limit) is not { } query)
        {
            return [];
        }

        var rows = await query.ToListAsync(ct);
        return rows.Select(r => new CustomerDuplicateCandidate(r.Id, r.Code, r.Name, r.OwnerId, MatchedOn(r.ByName, r.ByPhone, r.ByEmail, r.ByNumber))).ToList();
    }

    /// <summary>The candidates query (null when no key is usable); the plan test EXPLAINs exactly this.</summary>
    internal static IQueryable<CandidateRow>? Query(IQueryable<Customer> customers, CustomerDuplicateKeys keys, int limit)
    {
        var nameKey = CustomerMatchKeys.NameKey(keys.Name);
        var phoneKeys = CustomerMatchKeys.PhoneKeys(keys.Phones ?? []).ToArray();
        var emails = (keys.Emails ?? []).Select(CustomerMatchKeys.EmailKey).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var number = CustomerMatchKeys.RegistrationNumberKey(keys.RegistrationNumber);
        var byName = nameKey.Length > 0;
        var byPhone = phoneKeys.Length > 0;
        var byEmail = emails.Length > 0;
        var byNumber = number is not null;

        // Only the keys given go into the WHERE, so each OR branch is one index scan.
        var conditions = new List<Expression<Func<Customer, bool>>>();
        if (byName)
        {
            conditions.Add(c => c.NameKey == nameKey);
        }

        if (byPhone)
        {
            conditions.Add(c => c.PhoneKeys.Any(p => phoneKeys.Contains(p)));
        }

        if (byEmail)
        {
            conditions.Add(c => c.Emails.Any(e => emails.Contains(e)));
        }

        if (byNumber)
        {
            conditions.Add(c => c.RegistrationNumber == number);
        }

        if (conditions.Count == 0)
        {
            return null;
        }

        customers = customers
            .Where(AnyOf(conditions))
            .Where(c => c.Status != CustomerStatus.Archived && c.Status != CustomerStatus.Merged);
        if (keys.ExceptCustomerId is { } except)
        {
            customers = customers.Where(c => c.Id != except);
        }

        return customers
            .Select(c => new
            {
                c.Id,
                c.Code,
                c.Name,
                c.OwnerId,
                c.CreatedAt,
                ByName = byName && c.NameKey == nameKey,
                ByPhone = byPhone && c.PhoneKeys.Any(p => phoneKeys.Contains(p)),
                ByEmail = byEmail && c.Emails.Any(e => emails.Contains(e)),
                ByNumber = byNumber && c.RegistrationNumber == number,
            })
            .OrderByDescending(r => (r.ByNumber ? 1 : 0) + (r.ByName ? 1 : 0) + (r.ByPhone ? 1 : 0) + (r.ByEmail ? 1 : 0))
            .ThenBy(r => r.CreatedAt)
            .ThenBy(r => r.Id)
            .Take(limit)
            .Select(r => new CandidateRow(r.Id, r.Code, r.Name, r.OwnerId, r.ByName, r.ByPhone, r.ByEmail, r.ByNumber));
    }

    private static List<string> MatchedOn(bool name, bool phone, bool email, bool number)
    {
        var matched = new List<string>(4);
        if (name)
        {
            matched.Add("name");
        }

        if (phone)
        {
            matched.Add("phone");
        }

        if (email)
        {
            matched.Add("email");
        }

        if (number)
        {
            matched.Add("registrationNumber");
        }

        return matched;
    }

    private static Expression<Func<Customer, bool>> AnyOf(List<Expression<Func<Customer, bool>>> conditions)
    {
        var customer = Expression.Parameter(typeof(Customer), "c");
        var body = conditions.Select(c => new Rebind(c.Parameters[0], customer).Visit(c.Body)).Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<Customer, bool>>(body, customer);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>One candidate with the keys it matched.</summary>
internal sealed record CandidateRow(Guid Id, string Code, string Name, Guid? OwnerId, bool ByName, bool ByPhone, bool ByEmail, bool ByNumber);
