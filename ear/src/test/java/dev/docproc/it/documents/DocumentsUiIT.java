package dev.docproc.it.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.docproc.domain.testing.SampleFiles;
import dev.docproc.it.support.Api;
import dev.docproc.it.support.Browser;
import dev.docproc.it.support.DemoUser;
import dev.docproc.it.support.Deployments;
import dev.docproc.it.support.Json;
import dev.docproc.it.support.TestServices;
import dev.docproc.it.support.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The documents page in headless Chromium: upload, list with status, page image with its answer,
 * audit trail.
 */
@ExtendWith(ArquillianExtension.class)
class DocumentsUiIT {

  @Deployment(testable = false)
  static EnterpriseArchive ear() {
    return Deployments.docprocEar();
  }

  @Test
  void aliceUploadsAnInvoiceAndSeesItsRenderedPageAndAuditTrail() throws Exception {
    DemoUser alice = DemoUser.ALICE;
    Path invoice = Files.createTempDirectory("docproc-ui").resolve("FlipkartInvoice.pdf");
    Files.write(invoice, SampleFiles.invoice("FlipkartInvoice.pdf"));
    try (Browser browser = Browser.start()) {
      WebDriver page = browser.driver();
      var wait = new WebDriverWait(page, Duration.ofSeconds(60));

      page.get(TestServices.baseUrl() + "documents/");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
      page.findElement(By.id("username")).sendKeys(alice.username());
      page.findElement(By.id("password")).sendKeys(alice.password());
      page.findElement(By.id("kc-login")).click();

      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("upload-file")));
      page.findElement(By.id("upload-file")).sendKeys(invoice.toString());
      page.findElement(By.cssSelector("#upload button[type=submit]")).click();
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(
              By.id("upload-message"), "FlipkartInvoice.pdf uploaded (1 page)"));
      WebElement link =
          wait.until(ExpectedConditions.elementToBeClickable(By.linkText("FlipkartInvoice.pdf")));
      link.click();

      // the page polls while the document is in the pipeline and redraws itself each time; the
      // first view with status ANSWERED is the last, so its elements stay
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("detail-facts"), "ANSWERED"));
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("audit"), "DOCUMENT_ANSWERED"));
      WebElement image = page.findElement(By.cssSelector("#pages img"));
      wait.until(
          d ->
              (Boolean)
                  ((JavascriptExecutor) d)
                      .executeScript(
                          "return arguments[0].complete && arguments[0].naturalWidth > 0", image));
      WebElement answer = page.findElement(By.cssSelector("#pages figure .answer-ANSWERED pre"));
      ((JavascriptExecutor) page).executeScript("arguments[0].scrollIntoView()", answer);
      browser.screenshot("documents-detail");

      assertEquals("Page 1", image.getAttribute("alt"));
      HttpResponse<String> stored =
          Api.get(
              "/documents/" + documentId(page.getCurrentUrl()) + "/pages/1/answer",
              Tokens.of(alice));
      assertEquals(
          Json.parse(stored.body()).get("text").asText(),
          ((JavascriptExecutor) page).executeScript("return arguments[0].textContent", answer));
      assertTrue(
          page.findElement(By.cssSelector("#pages .answer-facts"))
              .getText()
              .contains("answer tokens"));
      List<String> actions =
          page.findElements(By.cssSelector("#audit tbody tr td:nth-child(4)")).stream()
              .map(WebElement::getText)
              .toList();
      assertEquals(
          List.of("DOCUMENT_RECEIVED", "DOCUMENT_RENDERED", "PAGE_ANSWERED", "DOCUMENT_ANSWERED"),
          actions);
      assertTrue(page.findElement(By.id("detail-facts")).getText().contains("ANSWERED"));

      page.findElement(By.linkText("← all documents")).click();
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("documents"), "ANSWERED"));
      browser.screenshot("documents-list");
    }
  }

  /** The document id of the detail page's address, {@code …/documents/#/documents/<id>}. */
  private static String documentId(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }
}
