// A small CMP client on Bouncy Castle's CMP API (bcpkix), for the interop tests of cmpkit-server.
// Each command runs one CMP transaction over HTTP and prints one line: "ok <what>" on success,
// "refused <body> <status> <failInfo bits> <text>" when the server refuses; it exits 0 on
// success, 1 on a refusal, 2 on anything else.
//
//   ir     URL REF SECRET SUBJECT CERT_OUT KEY_OUT       PasswordBasedMac, then certConf
//   cr     URL CERT KEY CHAIN SUBJECT CERT_OUT KEY_OUT [nokid]   signed (senderKID = SKI), then certConf
//   rr     URL CERT KEY CHAIN REASON                     signed by the holder
import java.io.ByteArrayOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.net.URL;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.cmp.CMPCertificate;
import org.bouncycastle.asn1.cmp.CertRepMessage;
import org.bouncycastle.asn1.cmp.CertResponse;
import org.bouncycastle.asn1.cmp.ErrorMsgContent;
import org.bouncycastle.asn1.cmp.PKIBody;
import org.bouncycastle.asn1.cmp.PKIFreeText;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.cmp.RevDetails;
import org.bouncycastle.asn1.cmp.RevRepContent;
import org.bouncycastle.asn1.cmp.RevReqContent;
import org.bouncycastle.asn1.crmf.CertReqMessages;
import org.bouncycastle.asn1.crmf.CertTemplateBuilder;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.cmp.CertificateConfirmationContent;
import org.bouncycastle.cert.cmp.CertificateConfirmationContentBuilder;
import org.bouncycastle.cert.cmp.GeneralPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessageBuilder;
import org.bouncycastle.cert.crmf.CertificateRequestMessage;
import org.bouncycastle.cert.crmf.CertificateRequestMessageBuilder;
import org.bouncycastle.cert.crmf.PKMACBuilder;
import org.bouncycastle.cert.crmf.jcajce.JcePKMACValuesCalculator;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

public final class BcCmpClient {
  static final SecureRandom RANDOM = new SecureRandom();

  /** The server refused: printed as one line, exit status 1. */
  static final class Refused extends Exception {
    Refused(String line) {
      super(line);
    }
  }

  public static void main(String[] args) {
    Security.addProvider(new BouncyCastleProvider());
    try {
      switch (args[0]) {
        case "ir": ir(args); break;
        case "cr": cr(args); break;
        case "rr": rr(args); break;
        default: throw new IllegalArgumentException("unknown command " + args[0]);
      }
      System.exit(0);
    } catch (Refused e) {
      System.out.println(e.getMessage());
      System.exit(1);
    } catch (Exception e) {
      System.out.println("failed " + e);
      System.exit(2);
    }
  }

  static byte[] random16() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  static byte[] post(String url, byte[] body) throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/pkixcmp");
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    if (c.getResponseCode() != 200) throw new IllegalStateException("HTTP " + c.getResponseCode());
    try (InputStream in = c.getInputStream()) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toByteArray();
    }
  }

  /** One header for every message: sender, the NULL-DN as recipient, time, IDs, nonces. */
  static ProtectedPKIMessageBuilder header(X500Name sender, byte[] transactionID, byte[] recipNonce) {
    ProtectedPKIMessageBuilder b = new ProtectedPKIMessageBuilder(new GeneralName(sender), new GeneralName(new X500Name(new RDN[0])))
        .setMessageTime(new Date())
        .setTransactionID(transactionID)
        .setSenderNonce(random16());
    if (recipNonce != null) b.setRecipNonce(recipNonce);
    return b;
  }

  /** The response, bound to the request (transactionID, recipNonce), refusals thrown as Refused. */
  static ProtectedPKIMessage receive(byte[] der, ProtectedPKIMessage request) throws Exception {
    ProtectedPKIMessage response = new ProtectedPKIMessage(new GeneralPKIMessage(der));
    if (!response.getHeader().getTransactionID().equals(request.getHeader().getTransactionID())) {
      throw new IllegalStateException("response transactionID differs");
    }
    if (!response.getHeader().getRecipNonce().equals(request.getHeader().getSenderNonce())) {
      throw new IllegalStateException("response recipNonce is not our senderNonce");
    }
    PKIBody body = response.getBody();
    if (body.getType() == PKIBody.TYPE_ERROR) {
      refuse("error", ErrorMsgContent.getInstance(body.getContent()).getPKIStatusInfo());
    }
    return response;
  }

  static void refuse(String body, PKIStatusInfo info) throws Refused {
    StringBuilder line = new StringBuilder("refused " + body + " " + info.getStatus());
    ASN1BitString bits = info.getFailInfo();
    if (bits != null) {
      String[] names = { "badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId", "badDataFormat", "wrongAuthority",
          "incorrectData", "missingTimeStamp", "badPOP", "certRevoked", "certConfirmed", "wrongIntegrity", "badRecipientNonce",
          "timeNotAvailable", "unacceptedPolicy", "unacceptedExtension", "addInfoNotAvailable", "badSenderNonce", "badCertTemplate",
          "signerNotTrusted", "transactionIdInUse", "unsupportedVersion", "notAuthorized", "systemUnavail", "systemFailure",
          "duplicateCertReq" };
      // Bit 0 of the BIT STRING (badAlg) is the high bit of its first octet.
      byte[] octets = bits.getBytes();
      for (int i = 0; i < names.length; i++) {
        int octet = i / 8;
        if (octet < octets.length && (octets[octet] & (0x80 >> (i % 8))) != 0) line.append(' ').append(names[i]);
      }
    }
    PKIFreeText text = info.getStatusString();
    if (text != null) line.append(" : ").append(text.getStringAtUTF8(0).getString());
    throw new Refused(line.toString());
  }

  static PKMACBuilder pbm() {
    return new PKMACBuilder(new JcePKMACValuesCalculator().setProvider("BC"));
  }

  static ContentSigner signer(PrivateKey key) throws Exception {
    return new JcaContentSignerBuilder("SHA256withECDSA").setProvider("BC").build(key);
  }

  static X509CertificateHolder readCertificate(String path) throws Exception {
    try (PEMParser p = new PEMParser(new FileReader(path))) {
      return (X509CertificateHolder) p.readObject();
    }
  }

  static List<X509CertificateHolder> readCertificates(String path) throws Exception {
    List<X509CertificateHolder> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new FileReader(path))) {
      Object o;
      while ((o = p.readObject()) != null) out.add((X509CertificateHolder) o);
    }
    return out;
  }

  static PrivateKey readKey(String path) throws Exception {
    try (PEMParser p = new PEMParser(new FileReader(path))) {
      Object o = p.readObject();
      PrivateKeyInfo info = o instanceof PEMKeyPair ? ((PEMKeyPair) o).getPrivateKeyInfo() : (PrivateKeyInfo) o;
      return new JcaPEMKeyConverter().setProvider("BC").getPrivateKey(info);
    }
  }

  static void write(String path, Object pemObject) throws Exception {
    try (JcaPEMWriter w = new JcaPEMWriter(new FileWriter(path))) {
      w.writeObject(pemObject);
    }
  }

  static KeyPair newKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "BC");
    g.initialize(new ECGenParameterSpec("P-256"));
    return g.generateKeyPair();
  }

  static CertReqMessages certReq(KeyPair keyPair, X500Name subject) throws Exception {
    CertificateRequestMessage msg = new CertificateRequestMessageBuilder(BigInteger.ZERO)
        .setPublicKey(SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded()))
        .setSubject(subject)
        .setProofOfPossessionSigningKeySigner(signer(keyPair.getPrivate()))
        .build();
    return new CertReqMessages(msg.toASN1Structure());
  }

  /** The accepted certificate of an ip/cp. */
  static X509CertificateHolder issued(ProtectedPKIMessage response, String type) throws Exception {
    CertResponse r = CertRepMessage.getInstance(response.getBody().getContent()).getResponse()[0];
    int status = r.getStatus().getStatus().intValue();
    if (status != 0 && status != 1) refuse(type, r.getStatus());
    CMPCertificate c = r.getCertifiedKeyPair().getCertOrEncCert().getCertificate();
    return new X509CertificateHolder(c.getX509v3PKCert());
  }

  static PKIBody certConf(X509CertificateHolder certificate) throws Exception {
    CertificateConfirmationContent content = new CertificateConfirmationContentBuilder()
        .addAcceptedCertificate(certificate, BigInteger.ZERO)
        .build(new JcaDigestCalculatorProviderBuilder().setProvider("BC").build());
    return new PKIBody(PKIBody.TYPE_CERT_CONFIRM, content.toASN1Structure());
  }

  /** The server's signature over a response: its first extraCerts entry signed it. */
  static void verifySigned(ProtectedPKIMessage response) throws Exception {
    X509CertificateHolder[] certs = response.getCertificates();
    if (certs.length == 0 || !response.verify(new JcaContentVerifierProviderBuilder().setProvider("BC").build(certs[0]))) {
      throw new IllegalStateException("the response signature does not verify");
    }
    if (!new GeneralName(certs[0].getSubject()).equals(response.getHeader().getSender())) {
      throw new IllegalStateException("the response sender is not its signer's subject");
    }
  }

  static void ir(String[] a) throws Exception {
    String url = a[1];
    byte[] ref = a[2].getBytes("UTF-8");
    char[] secret = a[3].toCharArray();
    X500Name subject = new X500Name(a[4]);
    KeyPair keyPair = newKey();
    byte[] tid = random16();
    ProtectedPKIMessage ir = header(subject, tid, null)
        .setSenderKID(ref)
        .setBody(new PKIBody(PKIBody.TYPE_INIT_REQ, certReq(keyPair, subject)))
        .build(pbm().build(secret));
    ProtectedPKIMessage ip = receive(post(url, ir.toASN1Structure().getEncoded()), ir);
    if (!ip.hasPasswordBasedMacProtection() || !ip.verify(pbm(), secret)) throw new IllegalStateException("the ip MAC does not verify");
    X509CertificateHolder certificate = issued(ip, "ip");
    ProtectedPKIMessage conf = header(subject, tid, ip.getHeader().getSenderNonce().getOctets())
        .setSenderKID(ref)
        .setBody(certConf(certificate))
        .build(pbm().build(secret));
    ProtectedPKIMessage pkiconf = receive(post(url, conf.toASN1Structure().getEncoded()), conf);
    if (pkiconf.getBody().getType() != PKIBody.TYPE_CONFIRM || !pkiconf.verify(pbm(), secret)) {
      throw new IllegalStateException("no verified pkiconf");
    }
    write(a[5], new JcaX509CertificateConverter().setProvider("BC").getCertificate(certificate));
    write(a[6], keyPair.getPrivate());
    System.out.println("ok ir " + certificate.getSubject());
  }

  /** A message signed with CERT and KEY: senderKID the SKI (unless nokid), extraCerts the certificate and CHAIN. */
  static ProtectedPKIMessage signed(ProtectedPKIMessageBuilder b, X509CertificateHolder cert, PrivateKey key, List<X509CertificateHolder> chain,
      boolean withKid) throws Exception {
    if (withKid) b.setSenderKID(SubjectKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier());
    b.addCMPCertificate(cert);
    for (X509CertificateHolder c : chain) b.addCMPCertificate(c);
    return b.build(signer(key));
  }

  static void cr(String[] a) throws Exception {
    String url = a[1];
    X509CertificateHolder cert = readCertificate(a[2]);
    PrivateKey key = readKey(a[3]);
    List<X509CertificateHolder> chain = readCertificates(a[4]);
    X500Name subject = new X500Name(a[5]);
    boolean withKid = !(a.length > 8 && a[8].equals("nokid"));
    KeyPair keyPair = newKey();
    byte[] tid = random16();
    ProtectedPKIMessage cr = signed(
        header(cert.getSubject(), tid, null).setBody(new PKIBody(PKIBody.TYPE_CERT_REQ, certReq(keyPair, subject))), cert, key, chain, withKid);
    ProtectedPKIMessage cp = receive(post(url, cr.toASN1Structure().getEncoded()), cr);
    verifySigned(cp);
    X509CertificateHolder certificate = issued(cp, "cp");
    ProtectedPKIMessage conf = signed(header(cert.getSubject(), tid, cp.getHeader().getSenderNonce().getOctets()).setBody(certConf(certificate)),
        cert, key, chain, true);
    ProtectedPKIMessage pkiconf = receive(post(url, conf.toASN1Structure().getEncoded()), conf);
    verifySigned(pkiconf);
    write(a[6], new JcaX509CertificateConverter().setProvider("BC").getCertificate(certificate));
    write(a[7], keyPair.getPrivate());
    System.out.println("ok cr " + certificate.getSubject());
  }

  static void rr(String[] a) throws Exception {
    String url = a[1];
    X509CertificateHolder cert = readCertificate(a[2]);
    PrivateKey key = readKey(a[3]);
    List<X509CertificateHolder> chain = readCertificates(a[4]);
    int reason = Integer.parseInt(a[5]);
    CertTemplateBuilder template = new CertTemplateBuilder().setIssuer(cert.getIssuer()).setSerialNumber(new org.bouncycastle.asn1.ASN1Integer(cert.getSerialNumber()));
    Extensions crlEntryDetails = new Extensions(new Extension(Extension.reasonCode, false, new ASN1Enumerated(reason).getEncoded()));
    RevDetails details = new RevDetails(template.build(), crlEntryDetails);
    ProtectedPKIMessage rr = signed(
        header(cert.getSubject(), random16(), null).setBody(new PKIBody(PKIBody.TYPE_REVOCATION_REQ, new RevReqContent(details))), cert, key, chain,
        true);
    ProtectedPKIMessage rp = receive(post(url, rr.toASN1Structure().getEncoded()), rr);
    verifySigned(rp);
    PKIStatusInfo status = RevRepContent.getInstance(rp.getBody().getContent()).getStatus()[0];
    if (status.getStatus().intValue() != 0) refuse("rp", status);
    System.out.println("ok rr " + cert.getSerialNumber().toString(16));
  }
}
