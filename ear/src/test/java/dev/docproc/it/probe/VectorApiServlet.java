package dev.docproc.it.probe;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import jdk.incubator.vector.FloatVector;

/** Deployed by VectorApiIT: answers with the lane count of the preferred float vector. */
@WebServlet("/lanes")
public class VectorApiServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain");
    response.getWriter().print(FloatVector.SPECIES_PREFERRED.length());
  }
}
