using Crm.Modules.Customers.Contracts;

namespace Crm.UnitTests.Customers;

internal sealed class CustomerMatchKeysTests
{
    [TestCase("华为技术有限公司", "华为技术")]
    [TestCase("华为技术（集团）股份有限公司", "华为技术")]
    [TestCase("深圳市腾讯计算机系统有限责任公司", "深圳市腾讯计算机系统")]
    [TestCase("ＡＣＭＥ Trading Co., Ltd.", "acmetrading")]
    [TestCase("Acme Trading Limited", "acmetrading")]
    [TestCase("Costco Wholesale Corp", "costcowholesale")]
    [TestCase("Apple Inc.", "apple")]
    [TestCase("公司", "公司")]
    [TestCase("Co., Ltd.", "co")]
    [TestCase("  ", "")]
    public void Names_reduce_to_their_distinctive_part(string name, string key) => Assert.That(CustomerMatchKeys.NameKey(name), Is.EqualTo(key));

    [TestCase("+86 755-2878 0808", "75528780808")]
    [TestCase("0755 28780808", "75528780808")]
    [TestCase("0086 138 0013 8000", "13800138000")]
    [TestCase("１３８００１３８０００", "13800138000")]
    [TestCase("+44 20 7946 0958", "442079460958")]
    [TestCase("110", null)]
    public void Phones_reduce_to_national_digits(string phone, string? key) => Assert.That(CustomerMatchKeys.PhoneKey(phone), Is.EqualTo(key));

    [Test]
    public void Emails_and_registration_numbers_ignore_case_and_surrounding_space() => Assert.Multiple(() =>
    {
        Assert.That(CustomerMatchKeys.EmailKey(" Sales@Huawei.COM "), Is.EqualTo("sales@huawei.com"));
        Assert.That(CustomerMatchKeys.RegistrationNumberKey(" 91350100m000100y43 "), Is.EqualTo("91350100M000100Y43"));
        Assert.That(CustomerMatchKeys.EmailKey(" "), Is.Null);
    });
}
